/// The maps by WWID and their names: the only writer of a map's name. Invariant: every map's name
/// maps to its WWID, and no other name is held (so a name is free exactly when no map has it).
/// A map is added and removed with `insert` and `remove`, renamed with `rename`; everything else about
/// it is changed with `modify` (in place) or `update` (a changed copy).
struct MapIndex: Sendable {
    private(set) var maps: [WWID: MultipathMap] = [:]
    private var names: [String: WWID] = [:]

    subscript(wwid: WWID) -> MultipathMap? { maps[wwid] }

    /// Changes the map of `wwid` in place, if there is one (its name only through `rename`). A closure
    /// rather than a `_modify` accessor: the checker's path must not allocate a coroutine frame.
    mutating func modify<R>(_ wwid: WWID, _ body: (inout MultipathMap) -> R) -> R? {
        guard maps[wwid] != nil else { return nil }
        return body(&maps[wwid]!)
    }

    /// Stores a changed copy of a map the index has (taken from it, under the same name).
    mutating func update(_ map: MultipathMap) {
        assert(maps[map.wwid]?.name == map.name, "\(map.wwid): maps are added with MapIndex.insert")
        maps[map.wwid] = map
    }

    func wwid(named name: String) -> WWID? { names[name] }
    func isTaken(_ name: String) -> Bool { names[name] != nil }
    /// Whether a map other than `wwid`'s has this name.
    func isTaken(_ name: String, byOtherThan wwid: WWID) -> Bool { names[name].map { $0 != wwid } ?? false }

    /// A new map, or one that replaces the map of its WWID (whose name is let go).
    mutating func insert(_ map: MultipathMap) {
        if let old = maps.updateValue(map, forKey: map.wwid) {
            if old.name == map.name { return }
            names[old.name] = nil
        }
        names[map.name] = map.wwid
    }

    @discardableResult
    mutating func remove(_ wwid: WWID) -> MultipathMap? {
        guard let map = maps.removeValue(forKey: wwid) else { return nil }
        names[map.name] = nil
        return map
    }

    /// The map of `wwid` takes `name`, which must be free (or its own).
    mutating func rename(_ wwid: WWID, to name: String) {
        guard let old = maps[wwid]?.name, old != name else { return }
        precondition(!isTaken(name), "\(wwid): \(name) is taken")
        names[old] = nil
        names[name] = wwid
        maps[wwid]?.name = name
    }
}

/// 0.9.4's `action` of a map as `show` prints it: `create` from the create that made the map until its
/// next table load or a reconfigure (0.9.4 keeps it after a create, clears it after any other load, and
/// builds its maps afresh on reconfigure).
public enum ShownMapAction: String, Sendable {
    case nothing = ""
    case create
}

/// A map as the core keeps it.
public struct MultipathMap: Sendable {
    /// Written only by `MapIndex` (this file), which keeps the names index with it.
    public fileprivate(set) var name: String
    public let wwid: WWID
    public internal(set) var settings: ResolvedMapSettings
    /// Paths in the loaded table, in table order.
    public internal(set) var members: [DevT]
    /// The table the kernel has (ours, or the one found at start or after a reload behind our back).
    public internal(set) var table: MultipathTable
    public internal(set) var sizeSectors: UInt64
    /// The kernel has the map read-only.
    public internal(set) var readOnly = false
    /// Suspended (I/O held): as found at start, or by the operator's `suspend map` until a resume or a
    /// reload (which resumes it). `show maps`' `%t`.
    public internal(set) var suspended = false
    /// One-based; as the kernel last reported it, or as we last switched it.
    public internal(set) var currentGroup: Int
    /// Whether the kernel queues I/O when no path is usable.
    public internal(set) var queueing: Bool
    /// `no_path_retry N`: when queueing stops, counted from the last usable path's failure.
    public internal(set) var queueingEndsAt: Instant?
    /// `failback N`: when to switch to the best group.
    public internal(set) var failbackAt: Instant?
    /// `disablequeueing`: the operator's `no_path_retry fail`, until `restorequeueing`.
    public internal(set) var queueingDisabled = false
    /// `setprstatus`: mpathpersist registered a reservation key on the map's paths.
    public internal(set) var prRegistered = false
    /// The registered keys were read at this map's setup (its first build, and after a reconfigure).
    var reservationKeysRead = false
    /// Its paths' transport timeouts are set under the current configuration (a create or reload sets
    /// them; a map adopted at start or kept at reconfigure has them set at its next build).
    var transportsTuned = false
    /// Adopted at start and not built since: its first build keeps the kernel's group order when only
    /// the order differs (see `Multipaths.build`).
    var adoptedUnbuilt = false
    public internal(set) var stats = MapStats()
    /// What `show` prints as the map's action (`%A`, the topology title's prefix).
    public internal(set) var shownAction = ShownMapAction.nothing

    init(
        name: String, wwid: WWID, settings: ResolvedMapSettings, members: [DevT], table: MultipathTable, sizeSectors: UInt64,
        readOnly: Bool = false, currentGroup: Int, queueing: Bool
    ) {
        self.name = name
        self.wwid = wwid
        self.settings = settings
        self.members = members
        self.table = table
        self.sizeSectors = sizeSectors
        self.readOnly = readOnly
        self.currentGroup = currentGroup
        self.queueing = queueing
    }
}
