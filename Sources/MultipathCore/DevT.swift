/// A block device number, printed as `major:minor` like the kernel and DM tables do.
public struct DevT: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var major: UInt32
    public var minor: UInt32

    public init(major: UInt32, minor: UInt32) {
        self.major = major
        self.minor = minor
    }

    /// Decodes the kernel's 64-bit encoding (`huge_encode_dev`, the same as glibc's `dev_t`): minor bits
    /// 0-7 and 20-31 of the low word, major bits 8-19 and the high word.
    public init(encoded dev: UInt64) {
        major = UInt32(truncatingIfNeeded: (dev >> 8) & 0xfff) | UInt32(truncatingIfNeeded: (dev >> 32) & ~0xfff)
        minor = UInt32(truncatingIfNeeded: dev & 0xff) | UInt32(truncatingIfNeeded: (dev >> 12) & ~0xff)
    }

    public var encoded: UInt64 {
        let ma = UInt64(major), mi = UInt64(minor)
        return (mi & 0xff) | ((ma & 0xfff) << 8) | ((mi & ~0xff) << 12) | ((ma & ~0xfff) << 32)
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
