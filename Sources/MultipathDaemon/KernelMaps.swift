import Logging
import MultipathCore
import MultipathReactor
import MultipathSystem

/// The kernel's multipath maps: those that exist at start are adopted, and every DM event re-reads
/// the maps whose event number moved.
final class KernelMaps {
    private let logger: Logger
    private let events: any DMEventSource
    private let dm: any MultipathDeviceMapper
    private let model: DaemonModel
    private let runner: ActionRunner
    private let now: () -> Instant

    init(
        logger: Logger, events: any DMEventSource, dm: any MultipathDeviceMapper, model: DaemonModel, runner: ActionRunner,
        now: @escaping () -> Instant
    ) {
        self.logger = logger
        self.events = events
        self.dm = dm
        self.model = model
        self.runner = runner
        self.now = now
    }

    /// Arms DM events and takes the device list, then adopts each multipath map as it is.
    func start() throws(SystemError) {
        // Arm before listing, so that an event between the two still wakes the loop.
        try events.armPoll()
        _ = model.dmDevices.update(try events.listDevices())
        let maps: [DMMapInfo]
        do { maps = try dm.multipathMaps() } catch {
            logger.error("cannot list multipath maps: \(error)")
            return
        }
        for info in maps {
            guard let wwid = info.wwid else { continue }
            do {
                let (size, table) = try dm.table(info.name)
                let status = try dm.status(info.name)
                runner.perform(
                    model.engine.adopt(
                        name: info.name, wwid: WWID(wwid), sizeSectors: size, table: table, status: status,
                        readOnly: info.isReadOnly, suspended: info.isSuspended, now: now()))
            } catch {
                logger.error("cannot adopt \(info.name): \(error)")
            }
        }
    }

    /// The DM event source's handler: re-reads the status of each map whose event number moved (paths
    /// the kernel failed are probed at once), takes tables loaded behind our back, forgets vanished
    /// maps. It throws when the arm or the list fails; the source's policy then retries.
    func handleEvent() throws(SystemError) {
        try events.armPoll()
        for change in model.dmDevices.update(try events.listDevices()) {
            logger.debug("dm event: \(change)")
            switch change {
            case .appeared(let d), .event(let d, _):
                guard model.engine.map(named: d.name) != nil else { continue }
                do {
                    let status = try dm.status(d.name)
                    let table = try dm.table(d.name).table
                    runner.perform(model.engine.mapStatus(name: d.name, status: status, table: table, now: now()))
                } catch {
                    logger.warning("\(d.name): cannot read status: \(error)")
                }
            case .removed(let d):
                runner.perform(model.engine.mapVanished(name: d.name))
            }
        }
    }
}
