/// One device-mapper device as the list ioctl reports it, with the event counter the kernel bumps on
/// every table change, path failure or group switch.
public struct DMMapEvent: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var devT: DevT
    public var eventNr: UInt32

    public init(name: String, devT: DevT, eventNr: UInt32) {
        self.name = name
        self.devT = devT
        self.eventNr = eventNr
    }

    public var description: String { "\(name) (\(devT)) event \(eventNr)" }
}

/// What moved between two device lists. A device is the same device when both its name and its
/// dev_t match: a map removed and created again under the same name may reuse the minor, and a
/// rename keeps the dev_t, and both are a vanished map plus a new one.
public struct DMEventDiff: Hashable, Sendable {
    /// Devices in both lists whose event number changed, with their new number, in the new list's order.
    public var changed: [DMMapEvent]
    /// Devices only in the new list, in its order.
    public var added: [DMMapEvent]
    /// Devices only in the previous list, in its order.
    public var removed: [DMMapEvent]

    public init(changed: [DMMapEvent] = [], added: [DMMapEvent] = [], removed: [DMMapEvent] = []) {
        self.changed = changed
        self.added = added
        self.removed = removed
    }

    public init(previous: [DMMapEvent], current: [DMMapEvent]) {
        struct Key: Hashable { var name: String; var devT: DevT }
        var before: [Key: UInt32] = [:]
        for m in previous { before[Key(name: m.name, devT: m.devT)] = m.eventNr }
        var seen = Set<Key>()
        changed = []
        added = []
        for m in current {
            let k = Key(name: m.name, devT: m.devT)
            seen.insert(k)
            switch before[k] {
            case nil: added.append(m)
            case let nr? where nr != m.eventNr: changed.append(m)
            default: break
            }
        }
        removed = previous.filter { !seen.contains(Key(name: $0.name, devT: $0.devT)) }
    }

    public var isEmpty: Bool { changed.isEmpty && added.isEmpty && removed.isEmpty }
}
