/// A point on the monotonic clock, in nanoseconds since an arbitrary origin (boot).
///
/// The core never reads a clock: every decision that depends on time is given an `Instant`.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static let zero = Instant(nanoseconds: 0)
    public static let distantFuture = Instant(nanoseconds: .max)

    public static func < (a: Instant, b: Instant) -> Bool { a.nanoseconds < b.nanoseconds }

    public static func + (a: Instant, d: Duration) -> Instant {
        let ns = d.nanosecondsClamped
        if ns >= 0 {
            let (sum, overflow) = a.nanoseconds.addingReportingOverflow(UInt64(ns))
            return Instant(nanoseconds: overflow ? .max : sum)
        }
        let back = UInt64(-ns)
        return Instant(nanoseconds: a.nanoseconds >= back ? a.nanoseconds - back : 0)
    }

    public static func - (a: Instant, d: Duration) -> Instant { a + (.zero - d) }

    /// The duration from `b` to `a` (negative when `a` is earlier).
    public static func - (a: Instant, b: Instant) -> Duration {
        a >= b
            ? .nanoseconds(Int64(clamping: a.nanoseconds - b.nanoseconds))
            : .zero - .nanoseconds(Int64(clamping: b.nanoseconds - a.nanoseconds))
    }

    public var description: String {
        let s = nanoseconds / 1_000_000_000, ms = (nanoseconds / 1_000_000) % 1000
        return "\(s).\(String(repeating: "0", count: 3 - String(ms).count))\(ms)"
    }
}

extension Duration {
    /// The duration in whole nanoseconds, clamped to Int64.
    public var nanosecondsClamped: Int64 {
        let (s, atto) = components
        let (ns, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return s < 0 ? .min : .max }
        return ns.addingReportingOverflow(atto / 1_000_000_000).overflow ? (s < 0 ? .min : .max) : ns + atto / 1_000_000_000
    }
}
