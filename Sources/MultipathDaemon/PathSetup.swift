import Logging
import MultipathCore
import MultipathSystem

/// Sets a path up from its uevent: the sysfs attributes the core asks for are read once (`PathFacts`),
/// then the core decides its identity (again under the `uid_attribute` its hardware entry names), its
/// checker and prioritizer, and what they need to know of it (block size, target port group), and
/// admits it. Returns the core's actions; the caller carries them out.
final class PathSetup {
    private let logger: Logger
    private let model: DaemonModel
    private let sysfs: SysfsReader
    /// Each path's udev properties (sysfs is read again from them at `reconfigure`) and what its checker
    /// and prioritizer need, decided once when it appeared: `context` is on every check's way.
    private var known: [DevT: (properties: [String: String], context: PathContext)] = [:]

    init(logger: Logger, model: DaemonModel, sysfs: @escaping SysfsReader) {
        self.logger = logger
        self.model = model
        self.sysfs = sysfs
    }

    /// An add or change uevent (or `add path`'s synthetic one).
    func appeared(_ event: Uevent, now: Instant) -> [MultipathAction] {
        let facts = PathFacts.gather(event, read: sysfs)
        guard case .success(var path) = PathIdentity.identify(facts) else { return [] }
        let config = model.engine.config
        // uid_attribute depends on the hardware entry, which the first reading tells.
        var settings = config.pathSettings(for: path)
        if settings.uidAttribute.value != "ID_SERIAL",
            case .success(let again) = PathIdentity.identify(facts, uidAttribute: settings.uidAttribute.value)
        {
            path = again
            settings = config.pathSettings(for: path)
        }
        let choice = PathChoice.select(
            path, settings, hasAccessState: facts.hasAccessState,
            checkerTimeout: facts.checkerTimeout(configured: config.checkerTimeout))
        logger.debug("\(path.name): uid_attribute = \(settings.uidAttribute)")
        logger.debug("\(path.name): path_checker = \(choice.checker)")
        logger.debug("\(path.name): prio = \(choice.prio)")
        for line in settings.originLines([.fast_io_fail_tmo, .dev_loss_tmo, .eh_deadline]) { logger.debug("\(path.name): \(line)") }
        known[path.devT] = (
            facts.properties,
            PathContext(
                blockSize: facts.blockSize, targetPortGroup: facts.targetPortGroup, nvmeNamespaceID: facts.nvmeNamespaceID)
        )
        let names = event.properties.map(\.name)
        if event.action == .change { return model.engine.changePath(path, udevProperties: names, choice: choice, now: now) }
        return model.engine.addPath(path, udevProperties: names, choice: choice, now: now)
    }

    /// Every known path's checker and prioritizer under a new configuration (`reconfigure`); sysfs is
    /// read again, since the kernel's handler may have attached since.
    func choices(under config: Config) -> [DevT: PathChoice] {
        let engine = model.engine
        var choices: [DevT: PathChoice] = [:]
        for identity in engine.paths.values.map(\.identity) + engine.orphans.values.map(\.identity) {
            let facts = PathFacts.gather(known[identity.devT]?.properties ?? ["DEVNAME": identity.name], read: sysfs)
            choices[identity.devT] = PathChoice.select(
                identity, config.pathSettings(for: identity), hasAccessState: facts.hasAccessState,
                checkerTimeout: facts.checkerTimeout(configured: config.checkerTimeout))
        }
        return choices
    }

    /// What the path's checker and prioritizer need of it.
    func context(_ devT: DevT) -> PathContext {
        known[devT]?.context ?? PathContext(blockSize: 512)
    }

    func forget(_ devT: DevT) { known[devT] = nil }
}
