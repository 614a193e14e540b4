import Testing

@testable import MultipathCore

/// The counters behind map wildcards %0 to %4 and %x and path wildcard %0, and the latencies of
/// `show stats json`, counted from the core's own events.
@Suite struct StatsTests {
    typealias M = MultipathsTests
    static let sdb = DevT(major: 8, minor: 16), sdc = DevT(major: 8, minor: 32)

    @Test(arguments: [
        (0, 0), (999_999, 0), (1_000_000, 1), (1_999_999, 1), (2_000_000, 2), (3_999_999, 2), (4_000_000, 3),
        (131_071_000_000, 17), (262_143_000_000, 18), (262_144_000_000, 19), (Int64.max, 19)
    ])
    func histogramBuckets(nanoseconds: Int64, bucket: Int) {
        #expect(LatencyHistogram.bucket(.nanoseconds(nanoseconds)) == bucket)
    }

    @Test func histogramKeepsCountSumMinMaxLast() {
        var h = LatencyHistogram()
        for ms in [30, 1, 996] { h.record(.milliseconds(ms)) }
        #expect(h.count == 3 && h.sum == .milliseconds(1027) && h.min == .milliseconds(1) && h.max == .milliseconds(996))
        #expect(h.last == .milliseconds(996))
        #expect(h.buckets[1] == 1 && h.buckets[5] == 1 && h.buckets[10] == 1 && h.buckets.reduce(0, +) == 3)
        #expect(LatencyHistogram.upperBoundMilliseconds(0) == 1 && LatencyHistogram.upperBoundMilliseconds(18) == 262_144)
        #expect(LatencyHistogram.upperBoundMilliseconds(19) == nil)
    }

    /// sdb fails with sdc up (failover at once: the failing check's latency), comes back; then both fail
    /// and the map has no path until sdc comes back.
    @Test func failuresFailoversAndReinstatesCountRealEvents() {
        var e = M.twoPathMap("find_multipaths no")
        #expect(e.maps["3600a"]!.stats.mapLoads == 1)
        let t1 = M.t0 + .seconds(5)
        _ = e.checkerFinished(Self.sdb, M.down, issued: t1, now: t1 + .milliseconds(30))
        _ = e.checkerFinished(Self.sdb, M.up, issued: t1 + .seconds(1), now: t1 + .seconds(1) + .milliseconds(2))
        let t3 = t1 + .seconds(10)
        _ = e.checkerFinished(Self.sdb, M.down, issued: t3, now: t3 + .milliseconds(1))
        _ = e.checkerFinished(Self.sdc, M.down, issued: t3 + .milliseconds(5), now: t3 + .milliseconds(6))
        _ = e.checkerFinished(Self.sdc, M.up, issued: t3 + .seconds(1), now: t3 + .seconds(1) + .milliseconds(1))

        let s = e.maps["3600a"]!.stats
        #expect((s.pathFaults, s.mapFailures, s.switchGroups, s.queueingTimeouts) == (3, 1, 0, 0))
        #expect(s.failover.count == 3 && s.failover.min == .milliseconds(1) && s.failover.max == .milliseconds(996))
        #expect(s.reinstate.count == 2 && s.reinstate.last == .milliseconds(1) && s.reinstate.max == .milliseconds(2))
        #expect(e.paths[Self.sdb]!.health.failures == 2 && e.paths[Self.sdc]!.health.failures == 1)
        #expect(e.paths[Self.sdb]!.health.checkLatency.count == 3)
        // The two checks of twoPathMap had no issue instant: no latency.
        #expect(e.paths[Self.sdc]!.health.checkLatency.count == 2)

        let (unknown, known) = (e.resetStats(wwid: "nope", now: t3), e.resetStats(wwid: "3600a", now: t3))
        #expect(!unknown && known)
        #expect(e.maps["3600a"]!.stats == MapStats())
        #expect(e.paths[Self.sdb]!.health.failures == 2, "as 0.9.4, reset leaves the paths' counts")
    }

    /// A path held back by san_path_err: the reinstate latency runs from the first check that found it up.
    @Test func reinstateLatencyIncludesTheHoldBack() {
        var e = M.twoPathMap("find_multipaths no\nsan_path_err_threshold 1\nsan_path_err_forget_rate 10\nsan_path_err_recovery_time 3")
        let t1 = M.t0 + .seconds(5)
        _ = e.checkerFinished(Self.sdb, M.down, issued: t1, now: t1)
        _ = e.checkerFinished(Self.sdb, M.up, issued: t1 + .seconds(1), now: t1 + .seconds(1))
        #expect(e.paths[Self.sdb]!.health.state == .delayed)
        _ = e.checkerFinished(Self.sdb, M.up, issued: t1 + .seconds(5), now: t1 + .seconds(5))
        #expect(e.maps["3600a"]!.stats.reinstate.last == .seconds(4))
    }

    @Test func queueingTimeAndTimeouts() {
        var e = M.twoPathMap("find_multipaths no\nno_path_retry 3")
        let t1 = M.t0 + .seconds(1)
        _ = e.checkerFinished(Self.sdb, M.down, now: t1)
        _ = e.checkerFinished(Self.sdc, M.down, now: t1)
        #expect(e.maps["3600a"]!.stats.totalQueueingSeconds(now: t1 + .seconds(7)) == 7)
        _ = e.mapTimerFired("3600a", now: t1 + .seconds(15))
        let s = e.maps["3600a"]!.stats
        #expect(s.queueingTimeouts == 1 && s.totalQueueingSeconds(now: t1 + .seconds(100)) == 15)
        #expect(s.mapFailures == 0, "0.9.4 counts a queueing timeout, not a map failure")
        let snapshot = e.showSnapshot(dmMinors: [:], now: t1 + .seconds(100))
        #expect(
            ShowFormat.maps(snapshot.maps, format: ShowFormat.mapsStats) == """
                name  path_faults switch_grp map_loads total_q_time q_timeouts
                3600a 2           0          1         15           1         \n
                """)
    }
}

extension StatsTests {
    /// Golden text of our own format (docs/stats.md describes it): a mapped path, an orphan (left out),
    /// and a map after one failover and one reinstate.
    @Test func statsJSON() throws {
        var latency = LatencyHistogram()
        for us in [4_800, 5_200, 31_000] { latency.record(.microseconds(us)) }
        var mapped = ShowFormatTests.path(0)
        mapped.failures = 1
        mapped.checkLatency = latency
        var map = ShowFormatTests.map(paths: (0..<4).map { ShowFormatTests.path($0) })
        map.stats.pathFaults = 1
        map.stats.failover.record(.microseconds(31_000))
        map.stats.reinstate.record(.microseconds(5_200))
        let text = ShowFormat.statsJSON(paths: [mapped, ShowFormatTests.path(1, orphan: true)], maps: [map])
        #expect(text == (try ShowFormatTests.fixture("stats", ext: "json", folder: "ours")))
    }
}
