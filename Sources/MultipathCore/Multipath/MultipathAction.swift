/// What the core asks the daemon to do. The daemon carries actions out in the order given: the
/// messages that change what the kernel routes to (reinstate, fail, switch, queueing) come before
/// anything slower (reloads, priorities, schedules).
public enum MultipathAction: Hashable, Sendable, CustomStringConvertible {
    /// Run the path's checker now and answer with `checkerFinished`. Never asked while one is out.
    case check(DevT)
    /// Call `checkDue` when the clock is in [earliest, latest]; replaces the path's earlier schedule.
    case scheduleCheck(DevT, earliest: Instant, latest: Instant)
    /// `recheck_wwid`: read the path's WWID from the device (INQUIRY VPD 0x83) and answer with
    /// `wwidRechecked`, handing back the check's verdict and issue time, which wait for it.
    case recheckWWID(DevT, CheckerVerdict, issued: Instant?)
    /// Register the path's map's reservation key on the path (PR IN READ KEYS, then PR OUT REGISTER AND
    /// IGNORE EXISTING KEY if our key is among them) and answer with `reservationRegistered`, handing
    /// back the check's verdict and issue time, which wait for it.
    case registerReservation(WWID, DevT, CheckerVerdict, issued: Instant?)
    /// READ KEYS through the first of these paths that answers; answer with `reservationKeysRead`.
    case readReservationKeys(WWID, [DevT])
    /// Ask udev to add the disk again (sysfs `uevent`), so that it reads the device afresh.
    case triggerAdd(disk: String)
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
    case rename(map: String, to: String, udevFlags: MapUdevFlags)
    /// The operator's `del map`: remove the map and its partition maps, failing if they stay open; on
    /// success call `mapFlushed`.
    case flush(map: String, wwid: WWID)
    /// Suspend (no flush) or resume the map, for the operator.
    case suspend(map: String)
    case resume(map: String, udevFlags: MapUdevFlags)
    /// Set the map's paths' transport timeouts (`Multipaths.transportTuning`): its table stays, but 0.9.4
    /// sets them whenever it sets a map up (at start, at reconfigure).
    case tuneTransports(WWID)
    /// Call `mapTimerFired` at this instant; nil: the map needs no timer now.
    case setMapTimer(wwid: WWID, at: Instant?)
    /// The path is no longer tracked: close its device, drop its schedule.
    case forget(DevT)
    /// Append this WWID to the wwids file.
    case rememberWWID(WWID)
    /// Write the action to the device's sysfs `uevent` (and its partitions'), so that udev's rules
    /// judge it again: `change` after its map was made, `add` when a failed one frees it.
    case triggerUevent(device: String, Uevent.Action)
    /// Create, or remove, the WWID's file in /run/multipath/failed_wwids: its map could not be made,
    /// which `multipath -u` reads to leave the paths to the system.
    case markFailedWWID(WWID)
    case unmarkFailedWWID(WWID)
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
        case .recheckWWID(let d, _, _): "recheck wwid \(d)"
        case .registerReservation(let w, let d, _, _): "register reservation key of \(w) on \(d)"
        case .readReservationKeys(let w, _): "read reservation keys of \(w)"
        case .triggerAdd(let disk): "trigger add \(disk)"
        case .prioritize(let d): "prioritize \(d)"
        case .reinstate(let m, let d): "\(m): reinstate_path \(d)"
        case .fail(let m, let d): "\(m): fail_path \(d)"
        case .switchGroup(let m, let n): "\(m): switch_group \(n)"
        case .setQueueing(let m, let on): "\(m): \(on ? "queue_if_no_path" : "fail_if_no_path")"
        case .create(let l): "create \(l)"
        case .reload(let l): "reload \(l)"
        case .remove(let m, _, let deferred): "remove \(m)\(deferred ? " (deferred)" : "")"
        case .rename(let m, let n, _): "rename \(m) to \(n)"
        case .flush(let m, _): "flush \(m)"
        case .suspend(let m): "suspend \(m)"
        case .resume(let m, _): "resume \(m)"
        case .tuneTransports(let w): "transport timeouts \(w)"
        case .setMapTimer(let w, let t): "timer \(w) \(t.map { "at \($0)" } ?? "off")"
        case .forget(let d): "forget \(d)"
        case .rememberWWID(let w): "remember wwid \(w)"
        case .triggerUevent(let d, let a): "trigger \(a) uevent on \(d)"
        case .markFailedWWID(let w): "mark wwid \(w) failed"
        case .unmarkFailedWWID(let w): "unmark wwid \(w) failed"
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
    /// What the create, or the resume after the reload, tells udev.
    public var udevFlags: MapUdevFlags

    public init(
        name: String, wwid: WWID, sizeSectors: UInt64, table: MultipathTable, readOnly: Bool = false, udevFlags: MapUdevFlags = []
    ) {
        self.name = name
        self.wwid = wwid
        self.sizeSectors = sizeSectors
        self.table = table
        self.readOnly = readOnly
        self.udevFlags = udevFlags
    }

    public var description: String { "\(name) (\(sizeSectors) sectors\(readOnly ? ", read-only" : "")): \(table)" }
}
