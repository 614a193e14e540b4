/// What the sg driver reports for a finished command (the tail of `sg_io_hdr`).
public struct SCSIResult: Hashable, Sendable {
    /// SCSI status byte (0x00 GOOD, 0x02 CHECK CONDITION, 0x08 BUSY, 0x18 RESERVATION CONFLICT, 0x28 TASK SET FULL).
    public var status: UInt8
    /// Host (HBA/transport) status, the kernel's DID_* codes.
    public var hostStatus: UInt16
    /// Driver status; the low nibble is the kernel's DRIVER_* code (0x08 DRIVER_SENSE: sense data is valid).
    public var driverStatus: UInt16
    /// The sense bytes the device wrote (`sb_len_wr` of them).
    public var sense: [UInt8]
    /// The bytes actually transferred (`dxfer_len - resid`).
    public var data: [UInt8]

    public init(status: UInt8 = 0, hostStatus: UInt16 = 0, driverStatus: UInt16 = 0, sense: [UInt8] = [], data: [UInt8] = []) {
        self.status = status
        self.hostStatus = hostStatus
        self.driverStatus = driverStatus
        self.sense = sense
        self.data = data
    }

    public static let good = SCSIResult()

    public var isGood: Bool { status & 0x7e == 0 && hostStatus == 0 && driverStatus & 0x0f == 0 }
}

/// How a command ended, from the point of view of whoever sent it.
public enum CommandOutcome: Hashable, Sendable {
    /// The kernel returned the command (which may still have failed: see the result).
    case completed(SCSIResult)
    /// Our own deadline passed first; a late completion is discarded by the edge.
    case timedOut
    /// The device went away or is offline (EPOLLHUP, ENODEV, ENXIO); the text says which.
    case deviceGone(String)
    /// The command could not be sent or collected for another reason (queue full, an unexpected errno).
    case failed(String)
}

/// Kernel host status codes (include/scsi/scsi_status.h, `DID_*`).
public enum HostStatus {
    public static let ok: UInt16 = 0x00
    public static let noConnect: UInt16 = 0x01
    public static let busBusy: UInt16 = 0x02
    public static let timeOut: UInt16 = 0x03
    public static let badTarget: UInt16 = 0x04
    public static let abort: UInt16 = 0x05
    public static let error: UInt16 = 0x07
    public static let reset: UInt16 = 0x08
    public static let softError: UInt16 = 0x0b
    public static let immediateRetry: UInt16 = 0x0c
    public static let requeue: UInt16 = 0x0d
    public static let transportDisrupted: UInt16 = 0x0e
    public static let transportFailfast: UInt16 = 0x0f

    public static func name(_ code: UInt16) -> String {
        switch code {
        case 0x00: "DID_OK"
        case 0x01: "DID_NO_CONNECT"
        case 0x02: "DID_BUS_BUSY"
        case 0x03: "DID_TIME_OUT"
        case 0x04: "DID_BAD_TARGET"
        case 0x05: "DID_ABORT"
        case 0x06: "DID_PARITY"
        case 0x07: "DID_ERROR"
        case 0x08: "DID_RESET"
        case 0x09: "DID_BAD_INTR"
        case 0x0a: "DID_PASSTHROUGH"
        case 0x0b: "DID_SOFT_ERROR"
        case 0x0c: "DID_IMM_RETRY"
        case 0x0d: "DID_REQUEUE"
        case 0x0e: "DID_TRANSPORT_DISRUPTED"
        case 0x0f: "DID_TRANSPORT_FAILFAST"
        case 0x10: "DID_TARGET_FAILURE"
        case 0x11: "DID_NEXUS_FAILURE"
        case 0x12: "DID_ALLOC_FAILURE"
        case 0x13: "DID_MEDIUM_ERROR"
        case 0x14: "DID_TRANSPORT_MARGINAL"
        default: "host status 0x\(hex(UInt8(truncatingIfNeeded: code)))"
        }
    }
}

/// Sense key, additional sense code and qualifier, from fixed (0x70/0x71) or descriptor (0x72/0x73) sense data.
public struct Sense: Hashable, Sendable, CustomStringConvertible {
    public var key: UInt8
    public var asc: UInt8
    public var ascq: UInt8

    public init(key: UInt8, asc: UInt8, ascq: UInt8) {
        self.key = key
        self.asc = asc
        self.ascq = ascq
    }

    /// nil when the bytes are not sense data in either format, or too short to hold key/ASC/ASCQ.
    public init?(_ b: [UInt8]) {
        guard let first = b.first else { return nil }
        switch first & 0x7f {
        case 0x72, 0x73:
            guard b.count >= 4 else { return nil }
            self.init(key: b[1] & 0x0f, asc: b[2], ascq: b[3])
        case 0x70, 0x71:
            // ASC/ASCQ live at 12/13; a device may stop after the key (additional length 0).
            guard b.count >= 3 else { return nil }
            self.init(key: b[2] & 0x0f, asc: b.count > 12 ? b[12] : 0, ascq: b.count > 13 ? b[13] : 0)
        default:
            return nil
        }
    }

    public static let recoveredError: UInt8 = 0x1
    public static let notReady: UInt8 = 0x2
    public static let illegalRequest: UInt8 = 0x5
    public static let unitAttention: UInt8 = 0x6

    /// "02/04/0b", as sg3_utils and multipath-tools print it.
    public var description: String { "\(hex(key))/\(hex(asc))/\(hex(ascq))" }
}
