import Logging
import MultipathCore
import MultipathSystem

/// Sets a path up from its uevent: its identity (read again under the `uid_attribute` its hardware entry
/// names), its checker and prioritizer, and what they need to know of it (block size, target port
/// group); the core then admits it. Returns the core's actions; the caller carries them out.
final class PathSetup {
    private let logger: Logger
    private let model: DaemonModel
    private let sysfs: SysfsReader
    private var contexts: [DevT: PathContext] = [:]

    init(logger: Logger, model: DaemonModel, sysfs: @escaping SysfsReader) {
        self.logger = logger
        self.model = model
        self.sysfs = sysfs
    }

    /// An add or change uevent (or `add path`'s synthetic one).
    func appeared(_ event: Uevent, now: Instant) -> [MultipathAction] {
        func identity(_ uid: String) -> Result<PathIdentity, PathRejection> {
            PathIdentity.fromUevent(event, uidAttribute: uid, sysfs: sysfs) { DeviceIdentification($0)?.multipathWWID }
        }
        guard case .success(var path) = identity("ID_SERIAL") else { return [] }
        let config = model.engine.config
        // uid_attribute depends on the hardware entry, which the first read tells.
        var settings = config.pathSettings(for: path)
        if settings.uidAttribute.value != "ID_SERIAL", case .success(let again) = identity(settings.uidAttribute.value) {
            path = again
            settings = config.pathSettings(for: path)
        }

        let dir = "block/\(path.name)"
        let choice = choice(for: path, settings, config)
        logger.debug("\(path.name): uid_attribute = \(settings.uidAttribute)")
        logger.debug("\(path.name): path_checker = \(choice.checker)")
        logger.debug("\(path.name): prio = \(choice.prio)")
        let blockSize = sysfs("\(dir)/queue/logical_block_size").map(sysfsText).flatMap { Int($0) } ?? 512
        let tpg = sysfs("\(dir)/device/vpd_pg83").flatMap { DeviceIdentification($0)?.targetPortGroup }
        contexts[path.devT] = PathContext(blockSize: blockSize, targetPortGroup: tpg)
        if event.action == .change { return model.engine.changePath(path, choice: choice, now: now) }
        return model.engine.addPath(path, udevProperties: event.properties.map(\.name), choice: choice, now: now)
    }

    /// Every known path's checker and prioritizer under a new configuration (`reconfigure`).
    func choices(under config: Config) -> [DevT: PathChoice] {
        let engine = model.engine
        var choices: [DevT: PathChoice] = [:]
        for identity in engine.paths.values.map(\.identity) + engine.orphans.values.map(\.identity) {
            choices[identity.devT] = choice(for: identity, config.pathSettings(for: identity), config)
        }
        return choices
    }

    func context(_ devT: DevT) -> PathContext { contexts[devT] ?? PathContext(blockSize: 512) }

    func forget(_ devT: DevT) { contexts[devT] = nil }

    /// The checker and prioritizer for a path (`detect_checker`, `detect_prio` look at sysfs).
    private func choice(for path: PathIdentity, _ settings: ResolvedPathSettings, _ config: Config) -> PathChoice {
        let dir = "block/\(path.name)"
        let timeout = config.checkerTimeout.map { Duration.seconds($0) }
            ?? sysfs("\(dir)/device/timeout").map(sysfsText).flatMap { Int($0) }.map { .seconds($0) } ?? .seconds(30)
        return PathChoice.select(path, settings, hasAccessState: sysfs("\(dir)/device/access_state") != nil, checkerTimeout: timeout)
    }
}
