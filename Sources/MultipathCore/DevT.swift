/// A block device number (major:minor).
public struct DevT: Hashable, Sendable, CustomStringConvertible {
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

    /// Parses "8:16".
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let ma = UInt32(parts[0]), let mi = UInt32(parts[1]) else { return nil }
        self.init(major: ma, minor: mi)
    }

    public var description: String { "\(major):\(minor)" }
}
