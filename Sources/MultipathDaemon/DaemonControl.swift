import Glibc
import Logging
import MultipathCore

/// `show daemon`'s word for what the daemon is doing.
public enum DaemonState: String, Sendable {
    case configure, idle, shutdown
}

/// The daemon's answers to control commands. It reads the daemon through closures so that the map
/// model (its own issue) can plug in without touching the socket code.
public final class DaemonControl: ControlHandler {
    public struct Hooks {
        /// What `show` commands are answered from, taken when the command arrives: the paths alone
        /// (`show paths` need not build every map's groups) and the maps.
        public var paths: () -> [PathSnapshot]
        public var maps: () -> [MapSnapshot]
        public var state: () -> DaemonState
        public var shutdown: () -> Void
        /// Reloads the configuration; the failure text is logged.
        public var reconfigure: () -> Result<Void, ReconfigureFailure>
        /// The running configuration in multipath.conf syntax (`local`: as `show config local`).
        public var configText: (_ local: Bool) -> String
        public var blacklist: () -> Blacklist
        /// The names in /sys/block, in udev's order.
        public var blockDevices: () -> [String]
        /// Zeroes the counters of the map with this WWID (nil: of every map); false: no such map.
        public var resetStats: (_ wwid: String?) -> Bool
        /// Carries out a command that changes maps or paths; the text is the reply (empty: `ok`).
        public var act: (ControlCommand) -> Result<String, ReconfigureFailure>

        public init(paths: @escaping () -> [PathSnapshot], maps: @escaping () -> [MapSnapshot], state: @escaping () -> DaemonState,
                    shutdown: @escaping () -> Void, reconfigure: @escaping () -> Result<Void, ReconfigureFailure>,
                    configText: @escaping (_ local: Bool) -> String, blacklist: @escaping () -> Blacklist,
                    blockDevices: @escaping () -> [String], resetStats: @escaping (_ wwid: String?) -> Bool,
                    act: @escaping (ControlCommand) -> Result<String, ReconfigureFailure> = { .failure(.init("'\($0)' needs the daemon's maps")) }) {
            self.paths = paths
            self.maps = maps
            self.state = state
            self.shutdown = shutdown
            self.reconfigure = reconfigure
            self.configText = configText
            self.blacklist = blacklist
            self.blockDevices = blockDevices
            self.resetStats = resetStats
            self.act = act
        }
    }

    public struct ReconfigureFailure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    public let versionLine = "swift-multipathd (multipath-tools 0.9.4 control protocol)"
    private let logger: Logger
    private let hooks: Hooks

    public init(logger: Logger, hooks: Hooks) {
        self.logger = logger
        self.hooks = hooks
    }

    public func handle(_ command: ControlCommand, from peer: PeerCredentials, reply: @escaping (String) -> Void) {
        reply(answer(command))
    }

    /// An empty answer is sent as `ok` by the server.
    func answer(_ command: ControlCommand) -> String {
        switch command {
        case .showPaths(let format, let raw):
            return ShowFormat.paths(hooks.paths(), format: format ?? ShowFormat.defaultPaths, raw: raw)
        case .showPath(let name):
            // 0.9.4 answers with the path's sysfs state only.
            guard let path = Self.path(name, in: hooks.paths()) else { return fail("no path \(name)") }
            return ShowFormat.paths([path], format: "%o", raw: true)
        case .showMaps:
            return ShowFormat.maps(hooks.maps())
        case .showMapsStatus:
            return ShowFormat.maps(hooks.maps(), format: ShowFormat.mapsStatus)
        case .showMapsStats:
            return ShowFormat.maps(hooks.maps(), format: ShowFormat.mapsStats)
        case .showMapsFormat(let format, let raw):
            return ShowFormat.maps(hooks.maps(), format: format, raw: raw)
        case .showTopology(nil):
            return ShowFormat.topology(hooks.maps(), layoutPaths: hooks.paths())
        case .showTopology(let name?):
            guard let map = Self.map(name, in: hooks.maps()) else { return fail("no map \(name)") }
            return ShowFormat.topology([map], layoutPaths: hooks.paths())
        case .showMapsJSON:
            return ShowFormat.json(maps: hooks.maps())
        case .showMapJSON(let name):
            guard let map = Self.map(name, in: hooks.maps()) else { return fail("no map \(name)") }
            return ShowFormat.json(map: map)
        case .showMapFormat(let name, let format, let raw):
            guard let map = Self.map(name, in: hooks.maps()) else { return fail("no map \(name)") }
            return ShowFormat.map(map, format: format, raw: raw)
        case .showStatus:
            return ShowFormat.status(hooks.paths(), busy: hooks.state() == .configure)
        case .showDaemon:
            return ShowFormat.daemon(pid: getpid(), state: hooks.state().rawValue)
        case .showWildcards:
            return ShowFormat.wildcards
        case .showStatsJSON:
            return ShowFormat.statsJSON(paths: hooks.paths(), maps: hooks.maps())
        case .showBlacklist:
            return ShowFormat.blacklist(hooks.blacklist())
        case .showDevices:
            return ShowFormat.devices(hooks.blockDevices(), monitored: Set(hooks.paths().map(\.identity.name)),
                                      blacklist: hooks.blacklist())
        case .resetMapsStats:
            _ = hooks.resetStats(nil)
            return ""
        case .resetMapStats(let name):
            guard let map = Self.map(name, in: hooks.maps()), hooks.resetStats(map.wwid) else { return fail("no map \(name)") }
            return ""
        case .quit:
            return ""
        case .shutdown:
            logger.notice("shutdown requested over the control socket")
            hooks.shutdown()
            return ""
        case .reconfigure(let all):
            switch hooks.reconfigure() {
            case .success:
                // `reconfigure all` (what `multipath -r` sends) also reloads every map, as in 0.9.4.
                guard all else { return "" }
                if case .failure(let why) = hooks.act(command) { return fail("reconfigure all: \(why)") }
                return ""
            case .failure(let why): return fail("reconfigure: \(why); the running configuration stays")
            }

        case .showConfig(let local):
            return hooks.configText(local)

        case .addPath, .delPath, .addMap, .delMap, .delMaps, .switchGroup, .suspend, .resume, .resize, .reload, .resetMap,
             .reinstatePath, .failPath, .disableQueueing, .restoreQueueing, .forceQueueingDaemon, .restoreQueueingDaemon,
             .getPRStatus, .setPRStatus, .unsetPRStatus, .getPRKey, .setPRKey, .unsetPRKey, .setMarginal, .unsetMarginal,
             .unsetMarginalMap:
            switch hooks.act(command) {
            case .success(let text): return text
            case .failure(let why): return fail(why.description)
            }
        }
    }

    private func fail(_ why: String) -> String {
        logger.notice("control: \(why)")
        return ControlReply.fail
    }

    /// A map by name (alias), `dm-N` or WWID.
    static func map(_ name: String, in maps: [MapSnapshot]) -> MapSnapshot? {
        maps.first { $0.name == name || $0.wwid == name || $0.dmMinor.map { "dm-\($0)" } == name }
    }

    /// A path by kernel name or `major:minor`.
    static func path(_ name: String, in paths: [PathSnapshot]) -> PathSnapshot? {
        paths.first { $0.identity.name == name || "\($0.identity.devT)" == name }
    }
}
