/// How often failing paths are probed again. Each one every `failed_path_reprobe_ms` while all of them
/// together stay within `budget` probes a second; past that the interval grows with their number, so
/// that the total holds (a fabric of 256 paths gone at once: each every 512 ms, not 2,560 probes a
/// second on one loop), never beyond the polling interval. Each path probes at its own phase of the
/// interval, drawn from its device number: paths that failed in the same second do not all probe in
/// the same turn, and when they come back together they are found evenly over one interval.
/// `window` is how early the loop may run a probe, to share a wakeup.
struct ReprobePace: Sendable {
    /// Probes a second for all failing paths together.
    static let budget = 500
    /// How stale the count of failing paths may be while paths change state: a burst of verdicts
    /// recounts a few times, not once per verdict.
    static let recountAfter = Duration.milliseconds(50)
    /// The count is taken again at least this often (paths added and removed).
    static let maxAge = Duration.seconds(1)
    static func window(_ interval: Duration) -> Duration { interval / 32 }

    private(set) var failing = 0
    private var countedAt: Instant?
    private var stale = true

    /// A path's state changed: the count may be off.
    mutating func changed() { stale = true }

    /// Whether the paths being re-probed should be counted again (`counted`) before `interval`.
    func countIsDue(now: Instant) -> Bool {
        guard let countedAt else { return true }
        let age = now - countedAt
        return age >= Self.maxAge || (stale && age >= Self.recountAfter)
    }

    mutating func counted(_ failing: Int, now: Instant) {
        self.failing = failing
        countedAt = now
        stale = false
    }

    /// The re-probe interval for the last count.
    func interval(reprobe: Duration, cap: Duration) -> Duration {
        let spacing = Duration.seconds(1) * failing / Self.budget
        return min(max(reprobe, spacing), cap)
    }

    /// The first instant on the path's phase at least a sixteenth of an interval from `now`: at most
    /// 17/16 of an interval away when the path has just failed, exactly one interval after the last
    /// probe from then on (the timer's window, a thirty-second, never reaches the phase just served).
    static func next(_ devT: DevT, interval: Duration, now: Instant) -> Instant {
        let period = UInt64(max(interval.nanosecondsClamped, 1))
        // A multiplicative hash spreads neighbouring device numbers (sda, sdb...) over the interval.
        let key = (UInt64(devT.major) << 32 | UInt64(devT.minor)) &* 0x9E37_79B9_7F4A_7C15
        let phase = (key >> 32) % period
        let from = now.nanoseconds + period / 16
        let k = from <= phase ? 0 : (from - phase + period - 1) / period
        return Instant(nanoseconds: phase + k * period)
    }
}
