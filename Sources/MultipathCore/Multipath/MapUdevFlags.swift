/// What a create, a reload's resume or a rename tells udev about the map, through the flags of the DM
/// cookie (`DM_SUBSYSTEM_UDEV_FLAG0...2`), which Debian's 56-dm-mpath.rules and 60-kpartx.rules read.
/// Chosen as 0.9.4's `build_udev_flags` chooses them.
public struct MapUdevFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A reload of a map udev already knows: it neither rescans it nor re-activates what sits on it.
    public static let reload = MapUdevFlags(rawValue: 1 << 0)
    /// kpartx makes no partition maps on it (`skip_kpartx yes`).
    public static let noKpartx = MapUdevFlags(rawValue: 1 << 1)
    /// No usable path: udev marks the map not ready and scans nothing on it.
    public static let noPaths = MapUdevFlags(rawValue: 1 << 2)

    /// For a create (`reload` false) or a reload of a table with `usablePaths` up, ghost or pending paths.
    /// `rescan` drops the reload flag where 0.9.4 sets `force_udev_reload`: a new size, the operator's
    /// `reload map` or `resize map`.
    public static func forLoad(reload: Bool, rescan: Bool, usablePaths: Int, skipKpartx: Bool) -> MapUdevFlags {
        var flags: MapUdevFlags = skipKpartx ? [.noKpartx] : []
        if usablePaths == 0 { flags.insert(.noPaths) }
        if reload && !rescan { flags.insert(.reload) }
        return flags
    }

    public var description: String {
        let names = [(Self.reload, "reload"), (.noKpartx, "no-kpartx"), (.noPaths, "no-paths")]
        return "[" + names.filter { contains($0.0) }.map(\.1).joined(separator: ",") + "]"
    }
}
