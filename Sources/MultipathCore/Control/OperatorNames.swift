/// A map an operator named, found in the model. Only `Multipaths.resolveMap` makes one, so a command
/// that holds it names a map that existed when the command was read.
public struct MapID: Hashable, Sendable, CustomStringConvertible {
    public let wwid: WWID
    fileprivate init(_ wwid: WWID) { self.wwid = wwid }
    public var description: String { wwid.rawValue }
}

/// A path an operator named, known to the model (in a map or not). Only `Multipaths.resolvePath`
/// makes one.
public struct PathID: Hashable, Sendable, CustomStringConvertible {
    public let devT: DevT
    fileprivate init(_ devT: DevT) { self.devT = devT }
    public var description: String { "\(devT)" }
}

/// The one place where the names operators type become model ids: every control command resolves
/// through here, the `show` commands and those that change maps and paths alike.
extension Multipaths {
    /// A map by alias, WWID or `dm-N` (its device-mapper minor, from `dm`'s device list), each with or
    /// without `/dev/` in front, as 0.9.4 takes them.
    public func resolveMap(_ text: String, dm: DMEventTracker) -> MapID? {
        let name = Self.withoutDevPrefix(text)
        if maps[WWID(name)] != nil { return MapID(WWID(name)) }
        if let map = map(named: name) { return MapID(map.wwid) }
        guard name.hasPrefix("dm-"), let minor = UInt32(name.dropFirst(3)),
            let device = dm.known.values.first(where: { $0.devT.minor == minor }),
            let map = map(named: device.name)
        else { return nil }
        return MapID(map.wwid)
    }

    /// A known path, multipathed or not, by kernel name (`sda`, `/dev/sda`) or `major:minor`.
    public func resolvePath(_ text: String) -> PathID? {
        let name = Self.withoutDevPrefix(text)
        if let d = DevT(name), paths[d] != nil || orphans[d] != nil { return PathID(d) }
        let devT = paths.values.first { $0.name == name }?.devT ?? orphans.first { $0.value.identity.name == name }?.key
        return devT.map(PathID.init)
    }

    /// Every map, in WWID order, for the commands that act on all of them.
    public var allMaps: [MapID] { maps.keys.sorted().map(MapID.init) }

    /// As 0.9.4's `convert_dev`: `/dev/sda` names `sda`; `/dev/` alone names nothing else.
    public static func withoutDevPrefix(_ text: String) -> String {
        text.hasPrefix("/dev/") && text.count > 5 ? String(text.dropFirst(5)) : text
    }
}
