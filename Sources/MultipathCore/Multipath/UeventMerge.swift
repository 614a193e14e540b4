/// Uevent filtering and merging before the daemon acts on a burst (0.9.4's uevent_filter and
/// merge_uevq, by device name): a `remove` cancels the events of the same device queued before it,
/// and of several `add`/`change` events for one device only the last counts (a `remove` followed by a
/// new `add` keeps both). The event that stands for a device's adds and changes keeps the place of the
/// first of them: 0.9.4 handles each in turn, so a device joins its path list at its first add (the
/// order `show paths` and the tables follow). Adds for one WWID are
/// merged further down, by the core building each map once all its new paths were checked.
public enum UeventMerge {
    public static func merge(_ events: [Uevent]) -> [Uevent] {
        var last: [String: Int] = [:]
        // Where each device's last run of adds and changes (after its last remove) began.
        var runStart: [String: Int] = [:]
        var added: Set<String> = []
        for (i, e) in events.enumerated() {
            last[e.sysname] = i
            if e.action == .remove { runStart[e.sysname] = nil } else if runStart[e.sysname] == nil { runStart[e.sysname] = i }
            if e.action == .add { added.insert(e.sysname) } else if e.action == .remove { added.remove(e.sysname) }
        }
        var kept: [Uevent] = []
        for (i, e) in events.enumerated() {
            let lastIndex = last[e.sysname]!
            let later = events[lastIndex]
            if i == (later.action == .remove ? lastIndex : runStart[e.sysname] ?? lastIndex) {
                // An add followed by changes is still an add, with the latest properties; but a map's
                // change stays one: it says udev saw the map with its table (its add comes before).
                var merged = later
                if later.action == .change && added.contains(e.sysname) && !e.sysname.hasPrefix("dm-") { merged.action = .add }
                kept.append(merged)
            } else if e.action == .remove && later.action == .add {
                kept.append(e)
            }
        }
        return kept
    }
}
