/// An NVMe admin command, as the kernel's passthrough takes it (`struct nvme_uring_cmd`): the prio
/// `ana` commands of 0.9.4 (Identify Controller, Identify Namespace, Get Log Page 0x0C).
public struct NVMeAdminCommand: Hashable, Sendable {
    public var name: String
    public var opcode: UInt8
    public var nsid: UInt32
    /// Command dwords 10 to 15.
    public var cdw: [UInt32]
    /// Bytes the controller returns.
    public var dataLength: Int

    /// Identify (CNS 1): the 4096-byte controller data structure.
    public static let identifyController = NVMeAdminCommand(
        name: "identify controller", opcode: 0x06, nsid: 0, cdw: [1, 0, 0, 0, 0, 0], dataLength: 4096)

    /// Identify (CNS 0): the 4096-byte namespace data structure of `nsid`.
    public static func identifyNamespace(_ nsid: UInt32) -> NVMeAdminCommand {
        NVMeAdminCommand(name: "identify namespace", opcode: 0x06, nsid: nsid, cdw: [0, 0, 0, 0, 0, 0], dataLength: 4096)
    }

    /// Get Log Page 0x0C (ANA) of every namespace, from offset 0, retaining the asynchronous event
    /// (RAE), as 0.9.4 asks for it; `groupsOnly` sets LSP bit 0 (RGO: no NSID lists). `length` is
    /// rounded down to whole dwords (NUMD counts dwords, less one).
    public static func anaLog(length: Int, groupsOnly: Bool) -> NVMeAdminCommand {
        let numd = UInt32(max(length / 4, 1) - 1)
        let cdw10 = 0x0C | (groupsOnly ? 1 << 8 : 0) | 1 << 15 | (numd & 0xffff) << 16
        return NVMeAdminCommand(
            name: "get log page ANA", opcode: 0x02, nsid: 0xffff_ffff, cdw: [cdw10, numd >> 16, 0, 0, 0, 0],
            dataLength: Int(numd + 1) * 4)
    }

    /// The 72 bytes of `struct nvme_uring_cmd` (little-endian), reading into `dataAddress`; the kernel
    /// ends the command itself after `timeoutMilliseconds` (0: the admin queue's default).
    public func uringCommand(dataAddress: UInt64, timeoutMilliseconds: UInt32) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 72)
        func put<T: FixedWidthInteger>(_ v: T, at offset: Int) {
            for i in 0..<(T.bitWidth / 8) { b[offset + i] = UInt8(truncatingIfNeeded: v >> (8 * i)) }
        }
        b[0] = opcode
        put(nsid, at: 4)
        put(dataAddress, at: 24)
        put(UInt32(dataLength), at: 36)
        for (i, d) in cdw.prefix(6).enumerated() { put(d, at: 40 + 4 * i) }
        put(timeoutMilliseconds, at: 64)
        return b
    }
}

/// How an NVMe admin command ended.
public enum NVMeAdminOutcome: Hashable, Sendable {
    /// Status 0: the data the controller returned.
    case completed([UInt8])
    /// The controller's (or the host transport's) non-zero NVMe status.
    case status(Int32)
    /// The command never reached the controller (the fd could not be opened, the ring refused it...).
    case failed(String)
    /// No answer by its deadline.
    case timedOut
}

private func le32(_ b: [UInt8], _ at: Int) -> UInt32 {
    UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
}

/// What prio `ana` needs of the Identify Controller data.
public struct NVMeControllerANA: Hashable, Sendable {
    /// CMIC bit 3: the controller reports ANA (0.9.4's `detect_prio` then picks `ana`).
    public var reportsANA: Bool
    /// ANACAP bit 6: a namespace's ANA group id does not change while it is attached, so the log is read
    /// without NSID lists and the group is found by the namespace's ANAGRPID.
    public var groupIDIsConstant: Bool
    /// NANAGRPID: the number of ANA groups.
    public var groupCount: UInt32
    /// MNAN: the most namespaces the controller has.
    public var maxNamespaces: UInt32

    /// The largest ANA log read: a controller claiming more groups or namespaces is read this far and
    /// its log is then seen as cut short (0.9.4 allocates what it is told).
    public static let maxLogLength = 256 * 1024

    /// nil when the data is shorter than the fields (bytes 76, 343, 348-351, 540-543).
    public init?(identifyController b: [UInt8]) {
        guard b.count >= 544 else { return nil }
        reportsANA = b[76] & 1 << 3 != 0
        groupIDIsConstant = b[343] & 1 << 6 != 0
        groupCount = le32(b, 348)
        maxNamespaces = le32(b, 540)
    }

    public init(reportsANA: Bool, groupIDIsConstant: Bool, groupCount: UInt32, maxNamespaces: UInt32) {
        self.reportsANA = reportsANA
        self.groupIDIsConstant = groupIDIsConstant
        self.groupCount = groupCount
        self.maxNamespaces = maxNamespaces
    }

    /// 0.9.4's log length: the header and one descriptor per group, and every NSID once unless the
    /// group ids are constant (each NSID is in one group at most).
    public var anaLogLength: Int {
        let nsids = groupIDIsConstant ? 0 : Int(maxNamespaces) * 4
        return min(ANALog.headerLength + Int(groupCount) * ANALog.descriptorLength + nsids, Self.maxLogLength)
    }
}

/// ANAGRPID (bytes 92-95) of Identify Namespace data; nil when the data is too short.
public func nvmeNamespaceANAGroupID(_ b: [UInt8]) -> UInt32? {
    b.count >= 96 ? le32(b, 92) : nil
}

/// Asymmetric Namespace Access states (the descriptor's state byte), with 0.9.4's priorities.
public enum ANAState: UInt8, Hashable, Sendable, CustomStringConvertible {
    case optimized = 0x01
    case nonOptimized = 0x02
    case inaccessible = 0x03
    case persistentLoss = 0x04
    case change = 0x0F

    /// 0.9.4's prio ana: modelled on ALUA, CHANGE treated as INACCESSIBLE, PERSISTENT LOSS below both.
    public var priority: Int {
        switch self {
        case .optimized: 50
        case .nonOptimized: 10
        case .inaccessible, .change: 1
        case .persistentLoss: 0
        }
    }

    public var description: String {
        switch self {
        case .optimized: "optimized"
        case .nonOptimized: "non-optimized"
        case .inaccessible: "inaccessible"
        case .persistentLoss: "persistent loss"
        case .change: "change"
        }
    }
}

/// The ANA log page (log 0x0C): a 16-byte header, then per group a 32-byte descriptor and its NSIDs.
public struct ANALog: Hashable, Sendable {
    public static let headerLength = 16
    public static let descriptorLength = 32

    public struct Group: Hashable, Sendable {
        public var id: UInt32
        /// The state byte as sent: values outside `ANAState` give no priority, as in 0.9.4.
        public var state: UInt8
        public var nsids: [UInt32]

        public init(id: UInt32, state: UInt8, nsids: [UInt32] = []) {
            self.id = id
            self.state = state
            self.nsids = nsids
        }
    }

    /// The descriptors that fit in the data, in order.
    public var groups: [Group]
    /// The header counted more groups (or a descriptor more NSIDs) than the data holds.
    public var cutShort: Bool

    /// Reads at most the data's length whatever the counts say; nil when it has no header.
    public init?(_ b: [UInt8]) {
        guard b.count >= Self.headerLength else { return nil }
        let count = Int(b[8]) | Int(b[9]) << 8
        var offset = Self.headerLength
        groups = []
        cutShort = false
        for _ in 0..<count {
            guard offset + Self.descriptorLength <= b.count else {
                cutShort = true
                return
            }
            let nsidCount = Int(le32(b, offset + 4))
            let nsidStart = offset + Self.descriptorLength
            guard nsidCount <= (b.count - nsidStart) / 4 else {
                cutShort = true
                return
            }
            let nsids = (0..<nsidCount).map { le32(b, nsidStart + 4 * $0) }
            groups.append(Group(id: le32(b, offset), state: b[offset + 16], nsids: nsids))
            offset = nsidStart + 4 * nsidCount
        }
    }

    public enum LookupError: Error, Hashable, Sendable, CustomStringConvertible {
        /// Not found in the part that fit, and the log was cut short.
        case overflow
        case notFound

        public var description: String {
            switch self {
            case .overflow: "buffer overflow in ANA log"
            case .notFound: "NSID or ANAGRPID not found"
            }
        }
    }

    /// The state byte of the first group listing `nsid` or, when `groupID` is not 0, having that id
    /// (0.9.4's search, in the log's order).
    public func state(nsid: UInt32, groupID: UInt32) -> Result<UInt8, LookupError> {
        if let g = groups.first(where: { $0.nsids.contains(nsid) || (groupID != 0 && $0.id == groupID) }) { return .success(g.state) }
        return .failure(cutShort ? .overflow : .notFound)
    }
}
