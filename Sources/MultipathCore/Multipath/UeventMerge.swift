/// Uevent filtering and merging before the daemon acts on a burst (0.9.4's uevent_filter and
/// merge_uevq, by device name): a `remove` cancels the events of the same device queued before it,
/// and of several `add`/`change` events for one device only the last counts (a `remove` followed by a
/// new `add` keeps both). The event that stands for a device's adds and changes keeps the place of the
/// first of them: 0.9.4 handles each in turn, so a device joins its path list at its first add (the
/// order `show paths` and the tables follow). Adds for one WWID are
/// merged further down, by the core building each map once all its new paths were checked.
public enum UeventMerge {
    /// What a burst says of one device.
    private struct Device {
        /// Its last event.
        var last: Int
        /// Where its last run of adds and changes (after its last remove) began.
        var runStart: Int?
        /// An add since its last remove.
        var added: Bool
    }

    public static func merge(_ events: [Uevent]) -> [Uevent] {
        var devices: [String: Device] = [:]
        devices.reserveCapacity(events.count)
        for (i, e) in events.enumerated() {
            var d = devices[e.sysname] ?? Device(last: i, runStart: nil, added: false)
            d.last = i
            switch e.action {
            case .remove: (d.runStart, d.added) = (nil, false)
            case .add: (d.runStart, d.added) = (d.runStart ?? i, true)
            default: d.runStart = d.runStart ?? i
            }
            devices[e.sysname] = d
        }
        var kept: [Uevent] = []
        kept.reserveCapacity(devices.count)
        for (i, e) in events.enumerated() {
            let d = devices[e.sysname]!
            let later = events[d.last]
            if i == (later.action == .remove ? d.last : d.runStart ?? d.last) {
                // An add followed by changes is still an add, with the latest properties; but a map's
                // change stays one: it says udev saw the map with its table (its add comes before).
                var merged = later
                if later.action == .change && d.added && !e.sysname.hasPrefix("dm-") { merged.action = .add }
                kept.append(merged)
            } else if e.action == .remove && later.action == .add {
                kept.append(e)
            }
        }
        return kept
    }
}
