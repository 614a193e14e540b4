/// The parameters of a `multipath` device-mapper target, as loaded and as `dmsetup table` prints them:
///
///     <nr features> <features...> <nr hwhandler words> [<hwhandler> <args...>] <nr groups> <initial group>
///     per group: <selector> <nr selector args> <args...> <nr paths> <nr path args>
///                per path: <major:minor or device node> <path args...>
///
/// Rendering gives the kernel's own spelling (single spaces, no trailing space), so a table read from
/// the kernel and rendered again compares equal to what the kernel printed.
public struct MultipathTable: Hashable, Sendable, CustomStringConvertible {
    /// Feature words, e.g. `["queue_if_no_path", "pg_init_retries", "50"]`.
    public var features: [String]
    /// The hardware handler and its arguments, e.g. `["alua"]`, `["rdac", "x"]`; empty for none.
    public var hardwareHandler: [String]
    /// One-based number of the group to use first; 0 when there are no groups.
    public var initialGroup: Int
    public var groups: [PathGroup]

    public struct PathGroup: Hashable, Sendable {
        /// `round-robin`, `queue-length`, `service-time`, `historical-service-time`.
        public var selector: String
        public var selectorArgs: [String]
        /// Words after each path's device (`round-robin`: repeat count; `service-time`: repeat count and
        /// relative throughput). Every path in the group carries exactly this many.
        public var pathArgCount: Int
        public var paths: [Path]

        public init(selector: String, selectorArgs: [String] = [], pathArgCount: Int, paths: [Path]) {
            self.selector = selector
            self.selectorArgs = selectorArgs
            self.pathArgCount = pathArgCount
            self.paths = paths
        }
    }

    public struct Path: Hashable, Sendable {
        /// As the kernel prints it (`8:16`); a load may also name a device node (`/dev/sdb`).
        public var device: String
        public var args: [String]

        public init(device: String, args: [String] = []) {
            self.device = device
            self.args = args
        }

        public init(_ devT: DevT, args: [String] = []) {
            self.init(device: devT.description, args: args)
        }

        public var devT: DevT? { DevT(device) }
    }

    public init(features: [String] = [], hardwareHandler: [String] = [], initialGroup: Int, groups: [PathGroup]) {
        self.features = features
        self.hardwareHandler = hardwareHandler
        self.initialGroup = initialGroup
        self.groups = groups
    }

    public init(parsing text: some StringProtocol) throws(DMTextError) {
        var r = DMWordReader(text)
        features = try r.countedWords("feature words")
        hardwareHandler = try r.countedWords("hardware handler words")
        let nGroups = try r.count("number of groups")
        initialGroup = try r.count("initial group")
        groups = []
        for _ in 0..<nGroups {
            let selector = try r.word("path selector")
            let selectorArgs = try r.countedWords("path selector args")
            let nPaths = try r.count("number of paths")
            let nArgs = try r.count("number of path args")
            var paths: [Path] = []
            for _ in 0..<nPaths {
                paths.append(Path(device: try r.word("path device"), args: try r.words(nArgs, "path arg")))
            }
            groups.append(PathGroup(selector: selector, selectorArgs: selectorArgs, pathArgCount: nArgs, paths: paths))
        }
        try r.end()
    }

    /// The table text. A path whose argument count differs from its group's is a programmer error.
    public var description: String {
        var w = DMWordWriter()
        w.appendCounted(features)
        w.appendCounted(hardwareHandler)
        w.append(groups.count)
        w.append(initialGroup)
        for g in groups {
            w.append(g.selector)
            w.appendCounted(g.selectorArgs)
            w.append(g.paths.count)
            w.append(g.pathArgCount)
            for p in g.paths {
                precondition(p.args.count == g.pathArgCount, "path \(p.device) has \(p.args.count) args, its group \(g.pathArgCount)")
                w.append(p.device)
                w.append(contentsOf: p.args)
            }
        }
        return w.text
    }

    /// Whether I/O is queued while no path is usable.
    public var queueIfNoPath: Bool { features.contains("queue_if_no_path") }

    /// The `pg_init_retries` feature's value, if set.
    public var pgInitRetries: Int? { featureValue("pg_init_retries") }

    /// The `pg_init_delay_msecs` feature's value, if set.
    public var pgInitDelayMilliseconds: Int? { featureValue("pg_init_delay_msecs") }

    private func featureValue(_ name: String) -> Int? {
        guard let i = features.firstIndex(of: name), i + 1 < features.count else { return nil }
        return Int(features[i + 1])
    }

    /// Every path device in group order.
    public var pathDevices: [String] { groups.flatMap { $0.paths.map(\.device) } }
}
