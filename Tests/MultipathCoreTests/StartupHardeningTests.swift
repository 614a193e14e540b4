import MultipathCore
import Testing

@Suite struct StartupHardeningTests {
    @Test func theOOMKillerIsToldToSpareTheDaemonUnlessSystemdSetsTheScore() {
        #expect(StartupHardening(systemdSetsOOMScore: false, realtimeLimit: 0, highestRoundRobinPriority: 99).oomScoreAdjust == -1000)
        #expect(StartupHardening(systemdSetsOOMScore: true, realtimeLimit: 0, highestRoundRobinPriority: 99).oomScoreAdjust == nil)
    }

    /// RLIMIT_RTPRIO's hard limit in, the SCHED_RR priority out (0.9.9's rule): none at 0, the limit
    /// itself within the scheduler's range, the scheduler's maximum above it.
    @Test(arguments: [
        (UInt64(0), Int32?(99), Int32?.none),
        (10, 99, 10),
        (1, 99, 1),
        (99, 99, 99),
        (100, 99, 99),
        (UInt64.max, 99, 99),
        (10, nil, 10),
        (UInt64.max, nil, Int32.max),
        (10, 0, 10)
    ])
    func realtimePriorityFollowsTheLimit(limit: UInt64, highest: Int32?, expected: Int32?) {
        let plan = StartupHardening(systemdSetsOOMScore: false, realtimeLimit: limit, highestRoundRobinPriority: highest)
        #expect(plan.realtimePriority == expected)
    }
}
