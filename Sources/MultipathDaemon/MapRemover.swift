import Logging
import MultipathCore
import MultipathReactor
import MultipathSystem

/// Removes maps as 0.9.4's flush does: the map's kpartx partition maps first, and nothing while a
/// partition, or the map for anything but its partitions, is open (`MapRemoval` decides). Under
/// `deferred_remove` an open map is handed to the kernel, which removes it at its last close.
///
/// An operator's remove that finds the map busy is tried again on a timer until a bound passes: right
/// after a reload udev still reads the new table for a moment (0.9.4 waits for udev on every resume; we
/// do not wait in the loop). Nothing sleeps: the control reply waits, the loop runs on.
final class MapRemover {
    enum Outcome: Equatable {
        case removed
        /// The map was open: the kernel removes it when it is closed (`deferred_remove`).
        case deferred
        /// No such map (any more).
        case gone
        /// Held open; why.
        case busy(String)
        case failed(String)
    }

    static let retryInterval = Duration.milliseconds(100)

    private let reactor: Reactor
    private let logger: Logger
    private let dm: any MultipathDeviceMapper
    /// Maps (and their partition maps) whose removal was left to the kernel: a map that gets paths
    /// again must take it back.
    private var deferredRemovals: [String: [String]] = [:]

    init(reactor: Reactor, logger: Logger, dm: any MultipathDeviceMapper) {
        self.reactor = reactor
        self.logger = logger
        self.dm = dm
    }

    /// One attempt: partitions, then the map.
    func remove(_ name: String, deferred: Bool) -> Outcome {
        let devices: [DMDeviceTable]
        do { devices = try dm.deviceTables() } catch { return .failed("\(name): cannot list device-mapper devices: \(error)") }
        guard let map = devices.first(where: { $0.name == name }) else { return .gone }
        let partitions = MapRemoval.partitions(of: map, among: devices)
        if !deferred, let why = MapRemoval.holder(of: map, partitions: partitions) { return .busy(why) }
        for partition in partitions {
            switch removeOne(partition.name, deferred: deferred) {
            case .removed, .gone: logger.info("\(partition.name): partition map removed\(deferred ? " (or at its last close)" : "")")
            case let other: return other
            }
        }
        let outcome = removeOne(name, deferred: deferred)
        guard outcome == .removed, deferred else { return outcome }
        // The kernel accepts a deferred remove of an open map and keeps it until it is closed.
        guard (try? dm.deviceTables())?.contains(where: { $0.name == name }) ?? false else { return .removed }
        deferredRemovals[name] = partitions.map(\.name)
        return .deferred
    }

    /// The map gets paths again: its deferred removal, if any, is cancelled (partitions first), as
    /// 0.9.4 does when a map with paths is set up.
    func cancelDeferredRemoval(_ name: String) {
        guard let partitions = deferredRemovals.removeValue(forKey: name) else { return }
        for device in partitions + [name] {
            do {
                try dm.send(.cancelDeferredRemove, to: device)
                logger.notice("\(device): deferred remove cancelled")
            } catch .noSuchMap {
                continue
            } catch {
                logger.error("\(device): can't cancel deferred remove: \(error)")
            }
        }
    }

    /// A map of this name is created: whatever was deferred under the name is gone.
    func forgetDeferredRemoval(_ name: String) { deferredRemovals[name] = nil }

    /// The operator's remove: tried again every `retryInterval` while the map is busy, until `deadline`;
    /// `done` gets the last outcome.
    func removeRetrying(_ name: String, until deadline: Instant, done: @escaping (Outcome) -> Void) {
        removeRetrying(name, until: deadline, first: true, done: done)
    }

    private func removeRetrying(_ name: String, until deadline: Instant, first: Bool, done: @escaping (Outcome) -> Void) {
        let outcome = remove(name, deferred: false)
        guard case .busy(let why) = outcome, reactor.now + Self.retryInterval <= deadline else { return done(outcome) }
        if first { logger.info("\(why); trying again every \(Self.retryInterval) until \(deadline)") }
        _ = reactor.schedule(earliest: reactor.now + Self.retryInterval, name: "remove \(name)") { [unowned self] in
            removeRetrying(name, until: deadline, first: false, done: done)
        }
    }

    private func removeOne(_ name: String, deferred: Bool) -> Outcome {
        do {
            try dm.remove(name, deferred: deferred)
            return .removed
        } catch .noSuchMap {
            return .gone
        } catch  where error.isBusy {
            return .busy("\(name): map in use")
        } catch {
            return .failed("\(name): remove failed: \(error)")
        }
    }
}
