/// Standard INQUIRY data (SPC-4 6.6.2): who made the device and whether it does ALUA.
public struct StandardInquiry: Hashable, Sendable {
    /// Peripheral qualifier (bits 7-5 of byte 0): 0 connected, 1 not connected, 3 no LUN here.
    public var peripheralQualifier: UInt8
    /// Peripheral device type (bits 4-0 of byte 0): 0 disk.
    public var deviceType: UInt8
    public var vendor: String
    public var product: String
    public var revision: String
    /// TPGS (byte 5 bits 5-4): 0 no ALUA, 1 implicit, 2 explicit, 3 both.
    public var tpgs: Int

    /// nil when fewer than the 36 bytes that hold the identification strings arrived.
    public init?(_ b: [UInt8]) {
        guard b.count >= 36 else { return nil }
        peripheralQualifier = b[0] >> 5
        deviceType = b[0] & 0x1f
        tpgs = Int((b[5] >> 4) & 0x3)
        vendor = asciiField(b[8..<16])
        product = asciiField(b[16..<32])
        revision = asciiField(b[32..<36])
    }
}

/// VPD page 0x00: the pages the device supports.
public func supportedVPDPages(_ b: [UInt8]) -> [UInt8]? {
    guard b.count >= 4, b[1] == 0x00 else { return nil }
    let n = Int(b[2]) << 8 | Int(b[3])
    return Array(b[4..<min(b.count, 4 + n)])
}

/// VPD page 0x80, unit serial number, with leading and trailing blanks removed (as multipath-tools does).
public func unitSerialNumber(_ b: [UInt8]) -> String? {
    guard b.count >= 4, b[1] == 0x80 else { return nil }
    let n = Int(b[2]) << 8 | Int(b[3])
    return asciiField(b[4..<min(b.count, 4 + n)], trimLeading: true)
}

/// ASCII text from a fixed-width, space-padded field; NULs end it, non-ASCII bytes become '?'.
func asciiField(_ bytes: ArraySlice<UInt8>, trimLeading: Bool = false) -> String {
    var chars: [UInt8] = []
    for b in bytes {
        if b == 0 { break }
        chars.append(b >= 0x20 && b < 0x7f ? b : UInt8(ascii: "?"))
    }
    while chars.last == 0x20 { chars.removeLast() }
    if trimLeading, let first = chars.firstIndex(where: { $0 != 0x20 }) { chars.removeFirst(first) }
    return String(decoding: chars, as: UTF8.self)
}
