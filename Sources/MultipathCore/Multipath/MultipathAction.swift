/// What the core asks the daemon to do. The daemon carries actions out in the order given: the
/// messages that change what the kernel routes to (reinstate, fail, switch, queueing) come before
/// anything slower (reloads, priorities, schedules).
public enum MultipathAction: Hashable, Sendable, CustomStringConvertible {
    /// Run the path's checker now and answer with `checkerFinished`. Never asked while one is out.
    case check(DevT)
    /// Call `checkDue` when the clock is in [earliest, latest]; replaces the path's earlier schedule.
    case scheduleCheck(DevT, earliest: Instant, latest: Instant)
    /// Run the path's prioritizer and answer with `priorityFinished`.
    case prioritize(DevT)
    case reinstate(map: String, DevT)
    case fail(map: String, DevT)
    case switchGroup(map: String, Int)
    /// `queue_if_no_path` (true) or `fail_if_no_path` (false).
    case setQueueing(map: String, Bool)
    case create(MapLoad)
    /// Load the table (noflush) and resume.
    case reload(MapLoad)
    /// Remove the map (its partition maps first) and answer with `mapRemoved`; if it is busy (open),
    /// load `fallback` instead (the map with no paths). `deferred` (`deferred_remove`): an open map is
    /// left to the kernel to remove at its last close, and loaded with `fallback` meanwhile.
    case remove(map: String, fallback: MapLoad, deferred: Bool)
    /// Rename the map; answer with `renameFailed` if the kernel refuses.
    case rename(map: String, to: String)
    /// The operator's `del map`: remove the map and its partition maps, failing if they stay open; on
    /// success call `mapFlushed`.
    case flush(map: String, wwid: WWID)
    /// Suspend (no flush) or resume the map, for the operator.
    case suspend(map: String)
    case resume(map: String)
    /// Call `mapTimerFired` at this instant; nil: the map needs no timer now.
    case setMapTimer(wwid: WWID, at: Instant?)
    /// The path is no longer tracked: close its device, drop its schedule.
    case forget(DevT)
    /// Append this WWID to the wwids file.
    case rememberWWID(WWID)
    /// Rewrite the bindings file with `bindings.render()`. Many in a row make one write.
    case saveBindings
    /// Rewrite the prkeys file with this text.
    case savePRKeys(String)
    /// A decision worth a log line.
    case note(String)

    public var description: String {
        switch self {
        case .check(let d): "check \(d)"
        case .scheduleCheck(let d, let e, let l): "check \(d) in [\(e), \(l)]"
        case .prioritize(let d): "prioritize \(d)"
        case .reinstate(let m, let d): "\(m): reinstate_path \(d)"
        case .fail(let m, let d): "\(m): fail_path \(d)"
        case .switchGroup(let m, let n): "\(m): switch_group \(n)"
        case .setQueueing(let m, let on): "\(m): \(on ? "queue_if_no_path" : "fail_if_no_path")"
        case .create(let l): "create \(l)"
        case .reload(let l): "reload \(l)"
        case .remove(let m, _, let deferred): "remove \(m)\(deferred ? " (deferred)" : "")"
        case .rename(let m, let n): "rename \(m) to \(n)"
        case .flush(let m, _): "flush \(m)"
        case .suspend(let m): "suspend \(m)"
        case .resume(let m): "resume \(m)"
        case .setMapTimer(let w, let t): "timer \(w) \(t.map { "at \($0)" } ?? "off")"
        case .forget(let d): "forget \(d)"
        case .rememberWWID(let w): "remember wwid \(w)"
        case .saveBindings: "save bindings"
        case .savePRKeys: "save prkeys"
        case .note(let s): s
        }
    }
}

/// A map's name, WWID, size and table: what create and reload load.
public struct MapLoad: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var wwid: WWID
    public var sizeSectors: UInt64
    public var table: MultipathTable
    /// Loaded read-only: one of its paths is (0.9.4 reloads a map read-only when a path turns so).
    public var readOnly: Bool

    public init(name: String, wwid: WWID, sizeSectors: UInt64, table: MultipathTable, readOnly: Bool = false) {
        self.name = name
        self.wwid = wwid
        self.sizeSectors = sizeSectors
        self.table = table
        self.readOnly = readOnly
    }

    public var description: String { "\(name) (\(sizeSectors) sectors\(readOnly ? ", read-only" : "")): \(table)" }
}
