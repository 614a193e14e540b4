/// One device-mapper device as a map's removal looks at it: who it is, how often it is open, and its
/// table's targets (type and parameters, in table order).
public struct DMDeviceTable: Hashable, Sendable {
    public struct Target: Hashable, Sendable {
        public var type: String
        public var params: String

        public init(type: String, params: String) {
            self.type = type
            self.params = params
        }
    }

    public var name: String
    public var uuid: String
    public var devT: DevT
    public var openCount: Int
    public var targets: [Target]

    public init(name: String, uuid: String, devT: DevT, openCount: Int, targets: [Target]) {
        self.name = name
        self.uuid = uuid
        self.devT = devT
        self.openCount = openCount
        self.targets = targets
    }
}

/// How a multipath map leaves the kernel, as 0.9.4's flush decides it: its kpartx partition maps go
/// first, and nothing goes while a partition or the map is open for anything but those partitions.
public enum MapRemoval {
    /// The partition maps kpartx made on `map`: a single `linear` target over the map's device number,
    /// and a UUID `part<N>-` followed by the map's own UUID (`part1-mpath-3600a...`).
    public static func partitions(of map: DMDeviceTable, among devices: [DMDeviceTable]) -> [DMDeviceTable] {
        guard !map.uuid.isEmpty else { return [] }
        return devices.filter { d in
            guard d.name != map.name, d.uuid.hasPrefix("part"), d.targets.count == 1, d.targets[0].type == "linear",
                let mpath = d.uuid.firstRange(of: "mpath-"), d.uuid[mpath.lowerBound...] == map.uuid
            else { return false }
            return linearDevice(d.targets[0].params) == map.devT
        }
    }

    /// Why the map cannot be removed now, or nil: a partition is open, or the map is open more often
    /// than its partitions account for (a file system, a process, udev still reading the new table).
    public static func holder(of map: DMDeviceTable, partitions: [DMDeviceTable]) -> String? {
        if let open = partitions.first(where: { $0.openCount > 0 }) { return "\(map.name): partition \(open.name) in use" }
        return map.openCount > partitions.count ? "\(map.name): map in use" : nil
    }

    /// The device a `linear` table maps onto: its first word, `major:minor` (a path name is not ours).
    static func linearDevice(_ params: String) -> DevT? {
        params.split(separator: " ").first.flatMap { DevT($0) }
    }
}
