/// What `show` commands print: snapshots the daemon takes of its model when a command arrives. Each
/// field carries what one or more of 0.9.4's format wildcards need; `nil` is "not known" and prints as
/// 0.9.4 prints it (`undef`, `[undef]`, `orphan`...) or, where 0.9.4 printed a C null, as an empty field.

/// A countdown shown as 0.9.4's ten-character bar and `tick/total`: `XX........ 1/4`.
public struct Countdown: Hashable, Sendable {
    public var tick: Int
    public var total: Int

    public init(tick: Int, total: Int) {
        self.tick = tick
        self.total = total
    }
}

public struct PathSnapshot: Hashable, Sendable {
    public var identity: PathIdentity
    /// The map the path belongs to; nil for an orphan (map wildcards then print `[orphan]`/`orphan`).
    public var mapName: String?
    /// Whether device-mapper has the path active (`true`) or failed (`false`); nil: not in a map.
    public var dmActive: Bool?
    /// `running` or `offline` (from sysfs `device/state`) as 0.9.4 prints it; nil prints `unknown`.
    public var deviceState: String?
    /// nil: never checked.
    public var checkerState: PathState?
    /// The checker's name (`tur`); nil prints an empty field.
    public var checker: String?
    /// Seconds since the last check and the current check interval; nil prints `orphan`.
    public var nextCheck: Countdown?
    /// -1 when no prioritizer ran, as 0.9.4.
    public var priority: Int
    public var marginal: Bool
    /// Times the path failed while in a map.
    public var failures: Int
    /// 0.9.4's `init_st`: `new`, `failed`, `missing_uid`, `requested_udev`, `ok`, `partial`, `removed`.
    public var initState: String
    /// The VPD page `vpd_vendor` decodes; nil prints `[undef]`.
    public var vpdData: String?
    /// From each check's issue to its verdict (`show stats json`).
    public var checkLatency: LatencyHistogram

    public init(
        identity: PathIdentity, mapName: String? = nil, dmActive: Bool? = nil, deviceState: String? = nil,
        checkerState: PathState? = nil, checker: String? = nil, nextCheck: Countdown? = nil,
        priority: Int = -1, marginal: Bool = false, failures: Int = 0, initState: String = "ok",
        vpdData: String? = nil, checkLatency: LatencyHistogram = LatencyHistogram()
    ) {
        self.identity = identity
        self.mapName = mapName
        self.dmActive = dmActive
        self.deviceState = deviceState
        self.checkerState = checkerState
        self.checker = checker
        self.nextCheck = nextCheck
        self.priority = priority
        self.marginal = marginal
        self.failures = failures
        self.initState = initState
        self.vpdData = vpdData
        self.checkLatency = checkLatency
    }
}

public struct PathGroupSnapshot: Hashable, Sendable {
    public enum State: String, Hashable, Sendable {
        case active, enabled, disabled
    }

    public var selector: String
    public var priority: Int
    /// nil prints `undef`.
    public var state: State?
    public var marginal: Bool
    public var paths: [PathSnapshot]

    public init(selector: String, priority: Int, state: State?, marginal: Bool = false, paths: [PathSnapshot]) {
        self.selector = selector
        self.priority = priority
        self.state = state
        self.marginal = marginal
        self.paths = paths
    }
}

public struct MapSnapshot: Hashable, Sendable {
    /// %F as 0.9.4 prints it.
    public enum Failback: Hashable, Sendable {
        case immediate, followover
        /// Manual, or deferred with no countdown running: `-`.
        case idle
        case countdown(Countdown)
    }

    /// %Q as 0.9.4 prints it.
    public enum Queueing: Hashable, Sendable {
        /// No `no_path_retry` set: `-`.
        case unset
        case off, on
        /// `no_path_retry N`, not counting down: `N chk`.
        case checks(Int)
        /// Counting down after the last path failed: `N sec` left.
        case secondsLeft(Int)
    }

    /// 0.9.4's per-map counters (%0 to %4, %x) and our latencies (`MapStats` says what each counts).
    public struct Stats: Hashable, Sendable {
        public var pathFaults = 0, switchGroups = 0, mapLoads = 0, totalQueueingTime = 0, queueingTimeouts = 0
        /// Times the map lost its last path (%x).
        public var mapFailures = 0
        public var failover = LatencyHistogram(), reinstate = LatencyHistogram()
        public init() {}

        /// `totalQueueingTime` in whole seconds at `now`.
        public init(_ s: MapStats, now: Instant) {
            (pathFaults, switchGroups, mapLoads, queueingTimeouts, mapFailures) =
                (s.pathFaults, s.switchGroups, s.mapLoads, s.queueingTimeouts, s.mapFailures)
            totalQueueingTime = s.totalQueueingSeconds(now: now)
            (failover, reinstate) = (s.failover, s.reinstate)
        }
    }

    /// The alias, or the WWID when the map has none.
    public var name: String
    public var wwid: String
    /// The dm minor (`dm-N`); nil prints an empty field.
    public var dmMinor: UInt32?
    public var failback: Failback
    public var queueing: Queueing
    /// Paths device-mapper has active.
    public var activePaths: Int
    /// nil prints `undef`.
    public var readOnly: Bool?
    public var suspended: Bool
    public var sizeSectors: UInt64
    public var features: String
    public var hardwareHandler: String
    /// What the daemon last did to the map (%A): `create`, `reload`, `switchpg`, `rename`, `reject`, or "".
    public var action: String
    public var stats: Stats
    /// From the map's first path.
    public var vendor: String
    public var product: String
    public var revision: String
    public var groups: [PathGroupSnapshot]

    public init(
        name: String, wwid: String, dmMinor: UInt32?, failback: Failback = .idle, queueing: Queueing = .unset,
        activePaths: Int, readOnly: Bool? = false, suspended: Bool = false, sizeSectors: UInt64,
        features: String = "0", hardwareHandler: String = "0", action: String = "", stats: Stats = Stats(),
        vendor: String = "", product: String = "", revision: String = "", groups: [PathGroupSnapshot] = []
    ) {
        self.name = name
        self.wwid = wwid
        self.dmMinor = dmMinor
        self.failback = failback
        self.queueing = queueing
        self.activePaths = activePaths
        self.readOnly = readOnly
        self.suspended = suspended
        self.sizeSectors = sizeSectors
        self.features = features
        self.hardwareHandler = hardwareHandler
        self.action = action
        self.stats = stats
        self.vendor = vendor
        self.product = product
        self.revision = revision
        self.groups = groups
    }
}
