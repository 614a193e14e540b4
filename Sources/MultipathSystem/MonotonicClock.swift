import Glibc
import MultipathCore

/// The one place the daemon reads the clock (CLOCK_MONOTONIC), so that tests can substitute their own.
public protocol Clock: AnyObject {
    var now: Instant { get }
}

public final class MonotonicClock: Clock {
    public init() {}

    public var now: Instant {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Instant(nanoseconds: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }
}
