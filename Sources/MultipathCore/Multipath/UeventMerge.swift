/// Uevent filtering and merging before the daemon acts on a burst (0.9.4's uevent_filter and
/// merge_uevq, by device name): a `remove` cancels the events of the same device queued before it,
/// and of several `add`/`change` events for one device only the last counts (a `remove` followed by a
/// new `add` keeps both). The event that stands for a device's adds and changes keeps the place of the
/// first of them: 0.9.4 handles each in turn, so a device joins its path list at its first add (the
/// order `show paths` and the tables follow). Adds for one WWID are
/// merged further down, by the core building each map once all its new paths were checked.
///
/// Events are merged as they arrive, so that a burst of any length holds at most two events per
/// distinct device (a remove and the event for its later adds and changes): a udev storm of 10,000
/// events on 32 disks holds 32 entries.
public struct UeventMerge: Sendable {
    /// What the burst says of one device so far.
    private struct Device: Sendable {
        /// Its latest remove, with its place in the burst.
        var remove: (at: Int, event: Uevent)?
        /// Its adds and changes since that remove: where they began, the last of them, an add among them.
        var run: (start: Int, last: Uevent, added: Bool)?
    }

    private var devices: [String: Device] = [:]
    /// Events received, merged or not.
    public private(set) var received = 0

    public init() {}

    public init(_ events: some Sequence<Uevent>) {
        for e in events { add(e) }
    }

    /// The distinct devices held: the bound on what the burst keeps (two events each at most).
    public var deviceCount: Int { devices.count }
    public var isEmpty: Bool { devices.isEmpty }

    public mutating func add(_ event: Uevent) {
        let at = received
        received += 1
        var d = devices[event.sysname] ?? Device()
        if event.action == .remove {
            (d.remove, d.run) = ((at, event), nil)
        } else if var run = d.run {
            run.last = event
            run.added = run.added || event.action == .add
            d.run = run
        } else {
            d.run = (at, event, event.action == .add)
        }
        devices[event.sysname] = d
    }

    /// The events to act on, in burst order.
    public func merged() -> [Uevent] {
        var kept: [(at: Int, event: Uevent)] = []
        kept.reserveCapacity(devices.count)
        for (name, d) in devices {
            guard let run = d.run else {
                if let remove = d.remove { kept.append(remove) }
                continue
            }
            // A device that went and came back (its last word an add) is removed first, then added.
            if let remove = d.remove, run.last.action == .add { kept.append(remove) }
            // An add followed by changes is still an add, with the latest properties; but a map's
            // change stays one: it says udev saw the map with its table (its add comes before).
            var event = run.last
            if event.action == .change && run.added && !name.hasPrefix("dm-") { event.action = .add }
            kept.append((run.start, event))
        }
        return kept.sorted { $0.at < $1.at }.map(\.event)
    }

    public static func merge(_ events: [Uevent]) -> [Uevent] { UeventMerge(events).merged() }
}
