import Glibc
import Logging
import MultipathCore
import MultipathReactor
import MultipathSystem

/// Takes uevents in bursts: the monitor is drained (at most `maxPerTurn` a turn, the rest next turn)
/// and the burst acted on as one, so that a later remove cancels earlier events and many adds for one
/// WWID make one map. The burst is merged as it is read: however long, it holds at most two events per
/// distinct device.
final class UeventBatcher {
    private let logger: Logger
    private let source: any UeventSource
    private let model: DaemonModel
    private let setup: PathSetup
    private let runner: ActionRunner
    private let now: () -> Instant
    private var pending = UeventMerge()
    /// A device-mapper device went away: the kernel removes a map whose removal was deferred at its last
    /// close without a DM event, so the maps are listed again.
    var dmDeviceRemoved: (() -> Void)?

    /// Bounds one turn's uevent work (the reactor is level-triggered: the rest comes next turn).
    static let maxPerTurn = 64
    /// A burst is acted on once the monitor is drained, or at this many distinct devices (its memory), or
    /// after this many events (a storm that never lets the monitor drain is still acted on).
    static let maxBurstDevices = 4096
    static let maxBurstEvents = 65_536

    init(
        logger: Logger, source: any UeventSource, model: DaemonModel, setup: PathSetup, runner: ActionRunner,
        now: @escaping () -> Instant
    ) {
        self.logger = logger
        self.source = source
        self.model = model
        self.setup = setup
        self.runner = runner
        self.now = now
    }

    /// The monitor's handler. ENOBUFS (the kernel dropped events from a full buffer) loses those events
    /// and the monitor goes on; any other error is thrown after the burst at hand is acted on: libudev
    /// skips bad messages itself, so its socket is broken (the source's policy then stops the daemon,
    /// whose restart lists every device afresh).
    func receive() throws(SystemError) {
        for _ in 0..<Self.maxPerTurn {
            do {
                guard let event = try source.receive() else { return flush() }
                logger.debug("uevent \(event.action) \(event.sysname) \(event.devnum.map { "\($0)" } ?? "-") wwid \(event.wwid ?? "-")")
                pending.add(event)
                if pending.deviceCount >= Self.maxBurstDevices || pending.received >= Self.maxBurstEvents { flush() }
            } catch {
                flush()
                guard error.errno == Errno(rawValue: ENOBUFS) else { throw error }
                logger.warning("uevent lost: \(error)")
                return
            }
        }
    }

    private func flush() {
        let burst = pending
        pending = UeventMerge()
        if !burst.isEmpty { process(burst) }
    }

    /// The disks present at start, as one burst.
    func process(_ events: [Uevent]) { process(UeventMerge(events)) }

    /// A burst: the disks present at start, or what the monitor held.
    private func process(_ burst: UeventMerge) {
        let merged = burst.merged()
        if merged.count != burst.received { logger.debug("\(burst.received) uevents merged into \(merged.count)") }
        for event in merged {
            switch event.action {
            case .change where event.sysname.hasPrefix("dm-"):
                // A map's own uevent: udev's rules have run on it.
                guard let uuid = event[property: "DM_UUID"], uuid.hasPrefix(DMMapInfo.multipathUUIDPrefix) else { continue }
                runner.perform(model.engine.mapUevent(WWID(String(uuid.dropFirst(DMMapInfo.multipathUUIDPrefix.count))), now: now()))
            case .add, .change: runner.perform(setup.appeared(event, now: now()))
            case .remove:
                let engine = model.engine
                guard let devT = event.devnum ?? engine.paths.values.first(where: { $0.name == event.sysname })?.devT else { continue }
                runner.perform(model.engine.removePath(devT, now: now()))
            default: continue
            }
        }
        runner.perform(model.engine.commit(now: now()))
        if merged.contains(where: { $0.action == .remove && $0.sysname.hasPrefix("dm-") }) { dmDeviceRemoved?() }
    }
}
