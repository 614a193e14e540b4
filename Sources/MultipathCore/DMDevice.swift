/// One device-mapper device as DM_LIST_DEVICES reports it.
public struct DMDevice: Equatable, Sendable, CustomStringConvertible {
    public var name: String
    public var devT: DevT
    /// Counts the device's events (table changes, path failures reported by its target).
    public var eventNumber: UInt32
    public var uuid: String?

    public init(name: String, devT: DevT, eventNumber: UInt32, uuid: String? = nil) {
        self.name = name
        self.devT = devT
        self.eventNumber = eventNumber
        self.uuid = uuid
    }

    public var description: String { "\(name) (\(devT)) event \(eventNumber)" }

    /// Decodes the data area of a DM_LIST_DEVICES reply (interface 4.37+): a chain of `struct dm_name_list`
    /// records (`u64 dev; u32 next; char name[]`), each followed, at the next 8-byte boundary after the
    /// name's NUL, by `u32 event_nr; u32 flags;` and the uuid when flags has DM_NAME_LIST_FLAG_HAS_UUID.
    /// `next` is the offset of the following record from the start of this one, 0 for the last.
    /// An empty list is one record with `dev == 0`. Returns nil for a malformed buffer.
    public static func parseNameList(_ data: UnsafeRawBufferPointer) -> [DMDevice]? {
        let hasUUID: UInt32 = 1
        func u32(_ at: Int) -> UInt32? { at + 4 <= data.count ? data.loadUnaligned(fromByteOffset: at, as: UInt32.self) : nil }
        func cString(_ at: Int) -> (String, end: Int)? {
            guard at <= data.count, let nul = data[at...].firstIndex(of: 0) else { return nil }
            return (String(decoding: data[at..<nul], as: UTF8.self), nul + 1)
        }
        func align8(_ n: Int) -> Int { (n + 7) & ~7 }

        guard data.count >= 12 else { return nil }
        if data.loadUnaligned(as: UInt64.self) == 0 { return [] }
        var devices: [DMDevice] = []
        var record = 0
        while true {
            guard record + 12 <= data.count, let next = u32(record + 8),
                let (name, end) = cString(record + 12)
            else { return nil }
            let dev = data.loadUnaligned(fromByteOffset: record, as: UInt64.self)
            let extra = align8(end)
            guard let event = u32(extra), let flags = u32(extra + 4) else { return nil }
            var uuid: String?
            if flags & hasUUID != 0 {
                guard let (u, _) = cString(extra + 8) else { return nil }
                uuid = u
            }
            devices.append(DMDevice(name: name, devT: DevT(encoded: dev), eventNumber: event, uuid: uuid))
            if next == 0 { return devices }
            record += Int(next)
        }
    }
}

/// Remembers each device-mapper device's event number so that a DM event (the control fd turning
/// readable) can be narrowed to the devices it concerns.
public struct DMEventTracker: Sendable {
    public enum Change: Equatable, Sendable, CustomStringConvertible {
        case appeared(DMDevice)
        case event(DMDevice, previous: UInt32)
        case removed(DMDevice)

        public var description: String {
            switch self {
            case .appeared(let d): "\(d.name) (\(d.devT)) appeared, event \(d.eventNumber)"
            case .event(let d, let previous): "\(d.name) (\(d.devT)) event \(previous) -> \(d.eventNumber)"
            case .removed(let d): "\(d.name) (\(d.devT)) removed"
            }
        }
    }

    public private(set) var known: [String: DMDevice] = [:]

    public init() {}

    /// Takes a fresh device list and returns what changed since the previous one, in the list's order
    /// (removals last, by name).
    public mutating func update(_ devices: [DMDevice]) -> [Change] {
        var changes: [Change] = []
        var seen = Set<String>()
        for d in devices {
            seen.insert(d.name)
            if let old = known[d.name], old.devT == d.devT {
                if old.eventNumber != d.eventNumber { changes.append(.event(d, previous: old.eventNumber)) }
            } else {
                changes.append(.appeared(d))
            }
            known[d.name] = d
        }
        for name in known.keys.sorted() where !seen.contains(name) {
            changes.append(.removed(known.removeValue(forKey: name)!))
        }
        return changes
    }
}
