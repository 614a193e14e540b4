import Glibc
import MultipathSystem
import Testing

@Suite struct ProcessHardeningTests {
    private static func oomScoreAdjust() -> Int? {
        TextFiles.read("/proc/self/oom_score_adj").flatMap { Int($0.filter { $0 == "-" || $0.isNumber }) }
    }

    /// Raising one's own score needs no privilege (and only makes this test process a likelier victim).
    @Test func writesTheOOMScoreAdjustment() throws {
        let before = try #require(Self.oomScoreAdjust())
        try #require(before < 1000)
        try ProcessHardening.setOOMScoreAdjust(before + 1)
        #expect(Self.oomScoreAdjust() == before + 1)
    }

    @Test func readsTheSchedulersHighestRoundRobinPriority() {
        #expect(ProcessHardening.realtimeLimits().highest == 99)
    }
}
