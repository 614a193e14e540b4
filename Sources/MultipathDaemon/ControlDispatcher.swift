import Glibc
import Logging
import MultipathCore
import MultipathSystem

/// `show daemon`'s word for what the daemon is doing.
public enum DaemonState: String, Sendable {
    case configure, idle, shutdown
}

/// Why a configuration reload was not applied; the running configuration stays.
public struct ReconfigureFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// What the dispatcher needs of the daemon itself, besides its model and rooms.
protocol DaemonLifecycle: AnyObject {
    var state: DaemonState { get }
    func reconfigure() -> Result<Void, ReconfigureFailure>
    func shutDown(reason: String)
}

/// Why a command answers `fail` (the reason goes to the log, as 0.9.4 logs it).
enum ControlFailure: Error, CustomStringConvertible {
    /// No map or path of that name.
    case invalidName(String)
    /// The core or the daemon would not do it (a path in no map, a configuration that does not load).
    case refused(String)
    /// The kernel or a file refused what the command asked for.
    case actionFailed([String])

    var description: String {
        switch self {
        case .invalidName(let why), .refused(let why): why
        case .actionFailed(let failures): failures.joined(separator: "; ")
        }
    }
}

/// Answers every control command: one switch, names resolved once in the core (`resolveMap`,
/// `resolvePath`), `show` answered from the model, and the commands that change maps and paths decided
/// by the core (`Multipaths+Admin.swift`) and carried out at once by the action runner.
final class ControlDispatcher: ControlHandler {
    let versionLine = "swift-multipathd (multipath-tools 0.9.4 control protocol)"
    private let logger: Logger
    private let model: DaemonModel
    private let runner: ActionRunner
    private let setup: PathSetup
    private let host: DaemonHost
    private let clock: () -> Instant
    private unowned let daemon: any DaemonLifecycle

    init(
        logger: Logger, model: DaemonModel, runner: ActionRunner, setup: PathSetup, host: DaemonHost,
        clock: @escaping () -> Instant, daemon: any DaemonLifecycle
    ) {
        self.logger = logger
        self.model = model
        self.runner = runner
        self.setup = setup
        self.host = host
        self.clock = clock
        self.daemon = daemon
    }

    func handle(_ command: ControlCommand, from peer: PeerCredentials, reply: @escaping (String) -> Void) {
        do {
            switch command {
            // A remove may wait for udev to let the map go: answered when it is done.
            case .delMap(let m): runLater(model.engine.flushByOperator(try map(m).wwid), reply: reply)
            case .delMaps: runLater(model.engine.allMaps.flatMap { model.engine.flushByOperator($0.wwid) }, reply: reply)
            default: reply(try answer(command))
            }
        } catch {
            failed(error, reply: reply)
        }
    }

    private func failed(_ error: ControlFailure, reply: (String) -> Void) {
        logger.notice("control: \(error)")
        reply(ControlReply.fail)
    }

    /// The reply text; empty is sent as `ok` by the server.
    private func answer(_ command: ControlCommand) throws(ControlFailure) -> String {
        let now = clock()
        switch command {
        // What the daemon shows.
        case .showPaths(let format, let raw): return ShowFormat.paths(paths(), format: format ?? ShowFormat.defaultPaths, raw: raw)
        case .showPath(let p):
            // 0.9.4 answers with the path's sysfs state only, and finds the path by its name alone (no dev_t).
            guard let path = paths([try path(p)]).first, path.identity.name == Multipaths.withoutDevPrefix(p) else {
                throw .invalidName("\(p): invalid path name")
            }
            return ShowFormat.paths([path], format: "%o", raw: true)
        case .showMaps: return ShowFormat.maps(maps())
        case .showMapsStatus: return ShowFormat.maps(maps(), format: ShowFormat.mapsStatus)
        case .showMapsStats: return ShowFormat.maps(maps(), format: ShowFormat.mapsStats)
        case .showMapsFormat(let format, let raw): return ShowFormat.maps(maps(), format: format, raw: raw)
        case .showTopology(nil): return ShowFormat.topology(maps(), layoutPaths: paths())
        case .showTopology(let m?): return ShowFormat.topology(maps([try map(m)]), layoutPaths: paths())
        case .showMapsJSON: return ShowFormat.json(maps: maps())
        case .showMapJSON(let m): return ShowFormat.json(map: maps([try map(m)])[0])
        case .showMapFormat(let m, let format):
            let wwid = try map(m).wwid.rawValue
            let all = maps()
            guard let shown = all.first(where: { $0.wwid == wwid }) else { throw .invalidName("\(m): invalid map name") }
            return ShowFormat.map(shown, among: all, format: format)
        case .showStatus: return ShowFormat.status(paths(), busy: daemon.state == .configure)
        case .showDaemon: return ShowFormat.daemon(pid: getpid(), state: daemon.state.rawValue)
        case .showWildcards: return ShowFormat.wildcards
        case .showStatsJSON: return ShowFormat.statsJSON(paths: paths(), maps: maps())
        case .showBlacklist: return ShowFormat.blacklist(model.engine.config.blacklist)
        case .showDevices:
            return ShowFormat.devices(
                host.blockDevices(), monitored: Set(paths().map(\.identity.name)), blacklist: model.engine.config.blacklist)
        case .showConfig(let local):
            return local ? model.engine.localConfigText() : renderConfig(model.engine.config, onlyDifferences: false)
        case .resetMapsStats:
            _ = model.engine.resetStats(wwid: nil, now: now)
            return ""
        case .resetMapStats(let m):
            _ = model.engine.resetStats(wwid: try map(m).wwid, now: now)
            return ""

        // The daemon itself.
        case .quit: return ""
        case .shutdown:
            logger.notice("shutdown requested over the control socket")
            daemon.shutDown(reason: "shutdown command")
            return ""
        case .reconfigure(let all):
            if case .failure(let why) = daemon.reconfigure() { throw .refused("reconfigure: \(why); the running configuration stays") }
            // `reconfigure all` (what `multipath -r` sends) also reloads every map, as in 0.9.4.
            guard all else { return "" }
            return try run(model.engine.allMaps.flatMap { model.engine.reloadByOperator($0.wwid, now: now) })

        // Paths.
        case .failPath(let p):
            let devT = try path(p).devT
            return try run(try admin { () throws(AdminRefusal) in try model.engine.failPathByOperator(devT, now: now) })
        case .reinstatePath(let p):
            let devT = try path(p).devT
            return try run(try admin { () throws(AdminRefusal) in try model.engine.reinstatePathByOperator(devT, now: now) })
        case .setMarginal(let p):
            let devT = try path(p).devT
            return try run(try admin { () throws(AdminRefusal) in try model.engine.setMarginal(devT, true, now: now) })
        case .unsetMarginal(let p):
            let devT = try path(p).devT
            return try run(try admin { () throws(AdminRefusal) in try model.engine.setMarginal(devT, false, now: now) })
        case .addPath(let p): return try addPath(p)
        case .delPath(let p):
            let devT = try path(p).devT
            return try run(model.engine.removePath(devT, now: now) + model.engine.commit(now: now))

        // Maps.
        case .unsetMarginalMap(let m): return try run(model.engine.unsetMarginal(map: try map(m).wwid, now: now))
        case .switchGroup(let m, let group):
            let wwid = try map(m).wwid
            return try run(try admin { () throws(AdminRefusal) in try model.engine.switchGroupByOperator(wwid, group: group) })
        case .disableQueueing(let m?): return try run(model.engine.disableQueueing(try map(m).wwid))
        case .disableQueueing(nil): return try run(model.engine.allMaps.flatMap { model.engine.disableQueueing($0.wwid) })
        case .restoreQueueing(let m?): return try run(model.engine.restoreQueueing(try map(m).wwid, now: now))
        case .restoreQueueing(nil): return try run(model.engine.allMaps.flatMap { model.engine.restoreQueueing($0.wwid, now: now) })
        case .forceQueueingDaemon: return try run(model.engine.forceQueueingWithoutDaemon(true))
        case .restoreQueueingDaemon: return try run(model.engine.forceQueueingWithoutDaemon(false))
        case .suspend(let m): return try run(model.engine.suspendByOperator(try map(m).wwid))
        case .resume(let m):
            let wwid = try map(m).wwid
            return try run(try admin { () throws(AdminRefusal) in try model.engine.resumeByOperator(wwid) })
        case .reload(let m): return try run(model.engine.reloadByOperator(try map(m).wwid, now: now))
        case .resize(let m): return try resize(try map(m))
        case .resetMap(let m): return try reassign(try map(m))
        case .addMap(let m): return try run(try admin { () throws(AdminRefusal) in try model.engine.addMapByOperator(m, now: now) })
        case .delMap, .delMaps: preconditionFailure("answered by handle")

        // Reservations.
        case .getPRStatus(let m): return model.engine.prStatus(try map(m).wwid)
        case .setPRStatus(let m): return try run(model.engine.setPRStatus(try map(m).wwid, true))
        case .unsetPRStatus(let m): return try run(model.engine.setPRStatus(try map(m).wwid, false))
        case .getPRKey(let m): return model.engine.reservationKey(try map(m).wwid, prkeys: prkeys()).map { "\($0)\n" } ?? "none\n"
        case .setPRKey(let m, let text):
            let id = try map(m)
            guard let key = PRKey(parsing: text) else { throw .refused("\(m): invalid prkey : '\(text)'") }
            // As 0.9.4: a zero key unsets.
            return try setPRKey(id, key.value == 0 ? nil : key)
        case .unsetPRKey(let m): return try setPRKey(try map(m), nil)
        }
    }

    // MARK: Names and snapshots

    private func map(_ text: String) throws(ControlFailure) -> MapID {
        guard let id = model.engine.resolveMap(text, dm: model.dmDevices) else { throw .invalidName("\(text): invalid map name") }
        return id
    }

    private func path(_ text: String) throws(ControlFailure) -> PathID {
        guard let id = model.engine.resolvePath(text) else { throw .invalidName("\(text): invalid path name") }
        return id
    }

    /// What `show` prints, taken now: the kept paths (of `only`, else all), and the maps.
    private func paths(_ only: [PathID]? = nil) -> [PathSnapshot] {
        model.engine.pathSnapshots(only, now: clock())
    }

    private func maps(_ only: [MapID]? = nil) -> [MapSnapshot] {
        model.engine.mapSnapshots(only, dmMinors: model.dmDevices.known.mapValues(\.devT.minor), now: clock())
    }

    // MARK: Carrying out

    /// The core's decision, or its refusal as the command's failure.
    private func admin(_ decide: () throws(AdminRefusal) -> [MultipathAction]) throws(ControlFailure) -> [MultipathAction] {
        do { return try decide() } catch { throw .refused(error.description) }
    }

    /// Carries the actions out; `reply` unless one of them failed.
    private func run(_ actions: [MultipathAction], reply: String = "") throws(ControlFailure) -> String {
        let failures = runner.perform(actions)
        guard failures.isEmpty else { throw .actionFailed(failures) }
        return reply
    }

    /// Carries the actions out and replies once they are done, later if a remove waits.
    private func runLater(_ actions: [MultipathAction], reply: @escaping (String) -> Void) {
        runner.perform(actions) { [weak self] failures in
            guard let self else { return }
            if failures.isEmpty { reply("") } else { failed(.actionFailed(failures), reply: reply) }
        }
    }

    /// `resize map`: the paths' sizes as sysfs gives them now.
    private func resize(_ id: MapID) throws(ControlFailure) -> String {
        let members = model.engine.maps[id.wwid]?.members ?? []
        let sizes = Dictionary(
            uniqueKeysWithValues: members.compactMap { d in
                model.engine.paths[d].map { p in (d, host.sysfs("block/\(p.name)/size").map(sysfsText).flatMap { UInt64($0) } ?? 0) }
            })
        let now = clock()
        return try run(try admin { () throws(AdminRefusal) in try model.engine.resizeByOperator(id.wwid, sizes: sizes, now: now) })
    }

    /// `add path`: set up from udev as an add uevent would be (blacklist and find_multipaths decide
    /// again for a path that was not multipathed). A blacklisted path answers `blacklisted`, as 0.9.4.
    private func addPath(_ text: String) throws(ControlFailure) -> String {
        let name = Multipaths.withoutDevPrefix(text)
        if model.engine.operatorPathNameBlacklisted(name) { return "blacklisted\n" }
        let disks: [Uevent]
        do { disks = try host.enumerate() } catch { throw .refused("\(text): cannot list block devices: \(error)") }
        guard let event = disks.first(where: { $0.sysname == name || ($0.devnum != nil && $0.devnum == DevT(name)) }),
            let devT = event.devnum
        else { throw .refused("\(text): can't find path") }
        let now = clock()
        if let actions = model.engine.addKnownPathByOperator(devT, now: now) { return try run(actions) }
        // The path's own actions first (a check that ends at once), then the maps it changes.
        var failures = runner.perform(setup.appeared(event, now: now))
        failures += runner.perform(model.engine.commit(now: now))
        if model.engine.orphans[devT]?.reason.isBlacklisted == true { return "blacklisted\n" }
        guard model.engine.paths[devT] != nil || model.engine.orphans[devT] != nil else {
            throw .refused("\(text): failed to get path info")
        }
        guard failures.isEmpty else { throw .actionFailed(failures) }
        return ""
    }

    /// `reset map`: 0.9.4 moves the holders of the paths' partitions (another DM device built on sda1,
    /// say) onto the map. With no partition held there is nothing to move; moving them is not supported.
    private func reassign(_ id: MapID) throws(ControlFailure) -> String {
        let name = model.engine.maps[id.wwid]?.name ?? id.wwid.rawValue
        for path in (model.engine.maps[id.wwid]?.members ?? []).compactMap({ model.engine.paths[$0]?.name }) {
            for part in host.listSysfs("block/\(path)") where part.hasPrefix(path) && part != path {
                let holders = host.listSysfs("block/\(path)/\(part)/holders")
                guard holders.isEmpty else {
                    throw .refused(
                        "\(name): \(part) is held by \(holders.joined(separator: ", ")); moving partition holders onto the map is not supported"
                    )
                }
            }
        }
        logger.info("\(name): reset devices (operator): no partition of its paths is held, nothing to move")
        return ""
    }

    private func prkeys() -> PRKeysFile { PRKeysFile(host.readFile(model.engine.config.prkeysFile)) }

    private func setPRKey(_ id: MapID, _ key: PRKey?) throws(ControlFailure) -> String {
        let (actions, applied) = model.engine.setPRKey(id.wwid, key, prkeys: prkeys())
        let reply = try run(actions)
        guard applied else {
            throw .refused(
                "\(model.engine.maps[id.wwid]?.name ?? id.wwid.rawValue): the prkeys file is written, but the map's reservation_key is not 'file'"
            )
        }
        return reply
    }
}
