import Testing

@testable import MultipathCore

@Suite struct ReprobePaceTests {
    static let t0 = Instant(nanoseconds: 1_000_000_000_000)

    /// Up to the budget every failing path keeps `failed_path_reprobe_ms`; past it the interval grows
    /// with their number so that all of them together stay within the budget, up to the cap.
    @Test func theIntervalKeepsAllFailingPathsWithinTheBudget() {
        for (failing, expected) in [(0, 100), (6, 100), (50, 100), (256, 512), (1024, 2048), (4096, 5000)] {
            var pace = ReprobePace()
            #expect(pace.countIsDue(now: Self.t0))
            pace.counted(failing, now: Self.t0)
            #expect(pace.interval(reprobe: .milliseconds(100), cap: .seconds(5)) == .milliseconds(expected), "\(failing) failing paths")
        }
    }

    /// The count is taken again after a change, but at most every 50 ms, and at least every second.
    @Test func theCountFollowsChangesWithoutARecountPerVerdict() {
        var pace = ReprobePace()
        pace.counted(0, now: Self.t0)
        for ms in 0..<50 {
            pace.changed()
            #expect(!pace.countIsDue(now: Self.t0 + .milliseconds(ms)), "within 50 ms of the last count")
        }
        #expect(pace.countIsDue(now: Self.t0 + .milliseconds(50)))
        pace.counted(1000, now: Self.t0 + .milliseconds(50))
        #expect(pace.interval(reprobe: .milliseconds(100), cap: .seconds(5)) == .seconds(2))
        #expect(!pace.countIsDue(now: Self.t0 + .milliseconds(1049)), "no change: counted again only after a second")
        #expect(pace.countIsDue(now: Self.t0 + .milliseconds(1050)))
    }

    /// 256 paths that failed in the same instant probe spread over the interval (no eighth of it holds
    /// twice its share), each at its own phase from then on: exactly one interval apart.
    @Test func pathsThatFailedTogetherProbeAtTheirOwnPhases() {
        let interval = Duration.milliseconds(512)
        var buckets = [Int](repeating: 0, count: 8)
        for minor in 0..<256 {
            let devT = DevT(major: 8 + UInt32(minor / 16) * 57, minor: UInt32(minor % 16) * 16)
            let first = ReprobePace.next(devT, interval: interval, now: Self.t0)
            #expect(first >= Self.t0 + interval / 16 && first < Self.t0 + interval * 17 / 16)
            // Woken a little early or late, the next probe is still on the phase.
            #expect(ReprobePace.next(devT, interval: interval, now: first + .milliseconds(15)) == first + interval)
            #expect(ReprobePace.next(devT, interval: interval, now: first - ReprobePace.window(interval)) == first + interval)
            buckets[Int((first - Self.t0 - interval / 16).nanosecondsClamped * 8 / interval.nanosecondsClamped)] += 1
        }
        #expect(buckets.allSatisfy { $0 <= 64 }, "\(buckets)")
    }
}
