/// Asymmetric access states (SPC-4 6.37, REPORT TARGET PORT GROUPS byte 0 bits 3-0).
public enum ALUAState: Hashable, Sendable, CustomStringConvertible {
    case activeOptimized, activeNonOptimized, standby, unavailable, lbaDependent, offline, transitioning
    case reserved(UInt8)

    public init(code: UInt8) {
        switch code & 0x0f {
        case 0x0: self = .activeOptimized
        case 0x1: self = .activeNonOptimized
        case 0x2: self = .standby
        case 0x3: self = .unavailable
        case 0x4: self = .lbaDependent
        case 0xe: self = .offline
        case 0xf: self = .transitioning
        case let c: self = .reserved(c)
        }
    }

    /// As multipath-tools' prio alua logs them.
    public var description: String {
        switch self {
        case .activeOptimized: "active/optimized"
        case .activeNonOptimized: "active/non-optimized"
        case .standby: "standby"
        case .unavailable: "unavailable"
        case .lbaDependent: "lba dependent"
        case .offline: "offline"
        case .transitioning: "transitioning between states"
        case .reserved: "invalid/reserved"
        }
    }
}

/// One target port group descriptor of REPORT TARGET PORT GROUPS.
public struct TargetPortGroup: Hashable, Sendable {
    public var id: UInt16
    public var state: ALUAState
    /// PREF bit: the group the storage prefers for this LUN.
    public var preferred: Bool
    /// Relative target port identifiers in the group.
    public var relativePorts: [UInt16]

    public init(id: UInt16, state: ALUAState, preferred: Bool, relativePorts: [UInt16] = []) {
        self.id = id
        self.state = state
        self.preferred = preferred
        self.relativePorts = relativePorts
    }
}

/// Parses REPORT TARGET PORT GROUPS parameter data, length-only (4-byte header) or extended (8-byte header,
/// format 1 in byte 4 bits 6-4). A descriptor cut short by the allocation length ends the list.
public func parseTargetPortGroups(_ b: [UInt8]) -> [TargetPortGroup]? {
    guard b.count >= 4 else { return nil }
    let length = Int(b[0]) << 24 | Int(b[1]) << 16 | Int(b[2]) << 8 | Int(b[3])
    let end = min(b.count, 4 + length)
    var d = b.count >= 8 && (b[4] >> 4) & 0x7 == 1 ? 8 : 4
    var groups: [TargetPortGroup] = []
    while d + 8 <= end {
        let ports = Int(b[d + 7])
        guard d + 8 + 4 * ports <= end else { break }
        let rel = (0..<ports).map { i in UInt16(b[d + 8 + 4 * i + 2]) << 8 | UInt16(b[d + 8 + 4 * i + 3]) }
        groups.append(
            TargetPortGroup(
                id: UInt16(b[d + 2]) << 8 | UInt16(b[d + 3]), state: ALUAState(code: b[d]),
                preferred: b[d] & 0x80 != 0, relativePorts: rel))
        d += 8 + 4 * ports
    }
    return groups
}

/// multipath-tools 0.9.4's `prio alua`: 50 active/optimized, 10 active/non-optimized, 5 LBA dependent, 1 standby,
/// 0 otherwise; +80 when preferred, except for an optimized group unless `exclusive_pref_bit` is given.
public func aluaPriority(_ state: ALUAState, preferred: Bool, exclusivePreferredBit: Bool = false) -> Int {
    var p: Int
    switch state {
    case .activeOptimized: p = 50
    case .activeNonOptimized: p = 10
    case .lbaDependent: p = 5
    case .standby: p = 1
    default: p = 0
    }
    if preferred && (state != .activeOptimized || exclusivePreferredBit) { p += 80 }
    return p
}
