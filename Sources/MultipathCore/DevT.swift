/// A block device number, printed as `major:minor` like the kernel and DM tables do.
public struct DevT: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var major: UInt32
    public var minor: UInt32

    public init(major: UInt32, minor: UInt32) {
        self.major = major
        self.minor = minor
    }

    /// Parses `"8:16"`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let ma = UInt32(parts[0]), let mi = UInt32(parts[1]) else { return nil }
        self.init(major: ma, minor: mi)
    }

    public static func < (a: DevT, b: DevT) -> Bool { (a.major, a.minor) < (b.major, b.minor) }

    public var description: String { "\(major):\(minor)" }
}

/// A SCSI address, host:channel:target:lun, as in sysfs (`/sys/block/sdX/device` -> `H:C:T:L`).
public struct HCTL: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var host: Int
    public var channel: Int
    public var target: Int
    public var lun: UInt64

    public init(host: Int, channel: Int, target: Int, lun: UInt64) {
        self.host = host
        self.channel = channel
        self.target = target
        self.lun = lun
    }

    /// Parses `"2:0:0:0"`.
    public init?(_ text: some StringProtocol) {
        let p = text.split(separator: ":", omittingEmptySubsequences: false)
        guard p.count == 4, let h = Int(p[0]), let c = Int(p[1]), let t = Int(p[2]), let l = UInt64(p[3]) else { return nil }
        self.init(host: h, channel: c, target: t, lun: l)
    }

    public static func < (a: HCTL, b: HCTL) -> Bool {
        (a.host, a.channel, a.target, a.lun) < (b.host, b.channel, b.target, b.lun)
    }

    public var description: String { "\(host):\(channel):\(target):\(lun)" }
}
