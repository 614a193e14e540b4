/// The status of a `multipath` device-mapper target, as `dmsetup status` prints it:
///
///     <nr features> <features...> <nr hwhandler words> <hwhandler status...> <nr groups> <current group>
///     per group: A|E|D <nr selector status words> <words...> <nr paths> <nr path status words>
///                per path: <major:minor> A|F <fail count> <selector path status words...>
///
/// Current kernels print the features as `2 <queueing I/O 0|1> <pg_init count>` and the hardware
/// handler status as `0`; both are kept as words so that any other form still round-trips.
public struct MultipathStatus: Hashable, Sendable, CustomStringConvertible {
    public var features: [String]
    public var hardwareHandler: [String]
    /// One-based number of the group in use (or to be used next); 0 when there are no groups.
    public var currentGroup: Int
    public var groups: [GroupStatus]

    public enum GroupState: String, Hashable, Sendable {
        /// `A`: the group I/O goes to now.
        case active = "A"
        /// `E`: usable, not in use.
        case enabled = "E"
        /// `D`: bypassed (`disable_group`, or the kernel after a failed pg_init); used only when nothing else is.
        case disabled = "D"
    }

    public struct GroupStatus: Hashable, Sendable {
        public var state: GroupState
        public var selectorStatus: [String]
        /// Selector status words after each path's fail count (`queue-length`: 1, `service-time`: 2).
        public var pathStatusCount: Int
        public var paths: [PathStatus]

        public init(state: GroupState, selectorStatus: [String] = [], pathStatusCount: Int = 0, paths: [PathStatus]) {
            self.state = state
            self.selectorStatus = selectorStatus
            self.pathStatusCount = pathStatusCount
            self.paths = paths
        }
    }

    public struct PathStatus: Hashable, Sendable {
        public var device: String
        /// `A` (usable) or `F` (failed, by the kernel on an I/O error or by a `fail_path` message).
        public var isActive: Bool
        /// Times the kernel has failed this path since the table was loaded.
        public var failCount: Int
        public var selectorStatus: [String]

        public init(device: String, isActive: Bool, failCount: Int = 0, selectorStatus: [String] = []) {
            self.device = device
            self.isActive = isActive
            self.failCount = failCount
            self.selectorStatus = selectorStatus
        }

        public var devT: DevT? { DevT(device) }
    }

    public init(features: [String] = ["0", "0"], hardwareHandler: [String] = [], currentGroup: Int, groups: [GroupStatus]) {
        self.features = features
        self.hardwareHandler = hardwareHandler
        self.currentGroup = currentGroup
        self.groups = groups
    }

    public init(parsing text: some StringProtocol) throws(DMTextError) {
        var r = DMWordReader(text)
        features = try r.countedWords("feature status words")
        hardwareHandler = try r.countedWords("hardware handler status words")
        let nGroups = try r.count("number of groups")
        currentGroup = try r.count("current group")
        groups = []
        for _ in 0..<nGroups {
            let state = try r.word("group state A, E or D", GroupState.init(rawValue:))
            let selectorStatus = try r.countedWords("selector status words")
            let nPaths = try r.count("number of paths")
            let nStatus = try r.count("number of path status words")
            var paths: [PathStatus] = []
            for _ in 0..<nPaths {
                let device = try r.word("path device")
                let active = try r.word("path state A or F") { ["A": true, "F": false][$0] }
                let fails = try r.count("fail count")
                paths.append(
                    PathStatus(
                        device: device, isActive: active, failCount: fails,
                        selectorStatus: try r.words(nStatus, "selector path status")))
            }
            groups.append(GroupStatus(state: state, selectorStatus: selectorStatus, pathStatusCount: nStatus, paths: paths))
        }
        try r.end()
    }

    public var description: String {
        var w = DMWordWriter()
        w.appendCounted(features)
        w.appendCounted(hardwareHandler)
        w.append(groups.count)
        w.append(currentGroup)
        for g in groups {
            w.append(g.state.rawValue)
            w.appendCounted(g.selectorStatus)
            w.append(g.paths.count)
            w.append(g.pathStatusCount)
            for p in g.paths {
                precondition(p.selectorStatus.count == g.pathStatusCount, "path \(p.device): selector status word count")
                w.append(p.device)
                w.append(p.isActive ? "A" : "F")
                w.append(p.failCount)
                w.append(contentsOf: p.selectorStatus)
            }
        }
        return w.text
    }

    /// Whether the kernel is queueing I/O right now (first feature word), when the kernel says.
    public var isQueueingIO: Bool? { features.count == 2 ? features[0] == "1" : nil }

    /// How many times the hardware handler has initialised a group (second feature word).
    public var pgInitCount: Int? { features.count == 2 ? Int(features[1]) : nil }

    /// Every path's status in group order.
    public var paths: [PathStatus] { groups.flatMap(\.paths) }
}
