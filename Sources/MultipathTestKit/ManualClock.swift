import MultipathCore
import MultipathSystem

/// A clock that moves only when a test says so.
public final class ManualClock: Clock {
    public var now: Instant

    public init(_ start: Instant = Instant(nanoseconds: 1_000_000_000)) { now = start }

    public func advance(by d: Duration) { now = now + d }
    public func advance(to t: Instant) { now = max(now, t) }
}
