/// A SCSI command as the sg driver takes it: the CDB, which way data moves and how much.
/// Builders follow SPC-4/SBC-3; the checker-specific ones say which multipath-tools checker sends them.
public struct SCSICommand: Hashable, Sendable, CustomStringConvertible {
    public enum Direction: Hashable, Sendable {
        case none
        /// Data comes from the device into a buffer of `count` bytes.
        case fromDevice(count: Int)
        /// These bytes go to the device (a parameter list).
        case toDevice([UInt8])
    }

    public var cdb: [UInt8]
    public var direction: Direction
    /// For logs: "TUR", "INQUIRY VPD 0x83"...
    public var name: String

    public init(cdb: [UInt8], direction: Direction, name: String) {
        precondition(cdb.count <= 16, "CDB longer than 16 bytes")
        self.cdb = cdb
        self.direction = direction
        self.name = name
    }

    /// The bytes the device sends back at most.
    public var transferLength: Int {
        if case .fromDevice(let n) = direction { return n }
        return 0
    }

    /// The bytes sent to the device.
    public var outgoing: [UInt8] {
        if case .toDevice(let bytes) = direction { return bytes }
        return []
    }

    public var description: String { name }

    // MARK: Builders

    /// TEST UNIT READY (0x00): the tur checker's command.
    public static let testUnitReady = SCSICommand(cdb: [0x00, 0, 0, 0, 0, 0], direction: .none, name: "TUR")

    /// Standard INQUIRY (0x12, EVPD=0). 36 bytes is what every device answers safely (SPC-4 note).
    public static func inquiry(allocationLength: UInt16 = 96) -> SCSICommand {
        SCSICommand(
            cdb: [0x12, 0, 0, UInt8(allocationLength >> 8), UInt8(allocationLength & 0xff), 0],
            direction: .fromDevice(count: Int(allocationLength)), name: "INQUIRY")
    }

    /// INQUIRY with EVPD=1 for one vital product data page (0x00 supported pages, 0x80 serial, 0x83 ids...).
    public static func inquiry(vpdPage page: UInt8, allocationLength: UInt16 = 255) -> SCSICommand {
        SCSICommand(
            cdb: [0x12, 0x01, page, UInt8(allocationLength >> 8), UInt8(allocationLength & 0xff), 0],
            direction: .fromDevice(count: Int(allocationLength)), name: "INQUIRY VPD 0x\(hex(page))")
    }

    /// REPORT TARGET PORT GROUPS: MAINTENANCE IN (0xA3) service action 0x0A, allocation length in bytes 6-9.
    public static func reportTargetPortGroups(allocationLength: UInt32 = 4096) -> SCSICommand {
        let a = allocationLength
        return SCSICommand(
            cdb: [0xA3, 0x0A, 0, 0, 0, 0, UInt8(a >> 24), UInt8((a >> 16) & 0xff), UInt8((a >> 8) & 0xff), UInt8(a & 0xff), 0, 0],
            direction: .fromDevice(count: Int(a)), name: "REPORT TARGET PORT GROUPS")
    }

    /// READ(10) of one block at `lba` (32-bit LBA, transfer length 1).
    public static func read10(lba: UInt32, blockSize: Int) -> SCSICommand {
        SCSICommand(
            cdb: [0x28, 0, UInt8(lba >> 24), UInt8((lba >> 16) & 0xff), UInt8((lba >> 8) & 0xff), UInt8(lba & 0xff), 0, 0, 1, 0],
            direction: .fromDevice(count: blockSize), name: "READ(10)")
    }

    /// READ(16) of one block at `lba` (64-bit LBA, transfer length 1).
    public static func read16(lba: UInt64, blockSize: Int) -> SCSICommand {
        var cdb: [UInt8] = [0x88, 0]
        for shift in stride(from: 56, through: 0, by: -8) { cdb.append(UInt8((lba >> UInt64(shift)) & 0xff)) }
        cdb += [0, 0, 0, 1, 0, 0]
        return SCSICommand(cdb: cdb, direction: .fromDevice(count: blockSize), name: "READ(16)")
    }

    /// rdac checker: INQUIRY VPD 0xC9 ("volume access control"), 48-byte answer.
    public static let rdacVolumeAccess = inquiry(vpdPage: 0xC9, allocationLength: 48)
    /// emc_clariion checker: INQUIRY VPD 0xC0 ("unit path report"), 128-byte answer.
    public static let emcUnitPathReport = inquiry(vpdPage: 0xC0, allocationLength: 128)
    /// hp_sw checker: INQUIRY VPD 0x80 with 255 bytes, then TEST UNIT READY (a failing TUR means passive).
    public static let hpSwInquiry = inquiry(vpdPage: 0x80, allocationLength: 255)
}

/// Two lowercase hex digits.
public func hex(_ b: UInt8) -> String {
    let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
    return String([digits[Int(b >> 4)], digits[Int(b & 0xf)]])
}

/// Lowercase hex of all bytes, no separators.
public func hex(_ bytes: some Sequence<UInt8>) -> String {
    var s = ""
    for b in bytes { s += hex(b) }
    return s
}
