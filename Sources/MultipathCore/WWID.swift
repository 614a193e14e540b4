/// A map's WWID, as the path's `uid_attribute` gave it: the key of maps and of the paths they gather.
/// The configuration and the files it names (bindings, wwids, prkeys) keep it as text.
public struct WWID: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    public var description: String { rawValue }
    public static func < (a: WWID, b: WWID) -> Bool { a.rawValue < b.rawValue }
}

extension PathIdentity {
    /// The WWID of the map the path belongs in; nil when udev gave none.
    var mapWWID: WWID? {
        guard let wwid, !wwid.isEmpty else { return nil }
        return WWID(wwid)
    }
}
