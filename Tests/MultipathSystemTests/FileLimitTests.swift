import MultipathSystem
import Testing

@Suite struct FileLimitTests {
    /// Within the hard limit any process may raise its soft limit; the limit is never lowered.
    @Test func raisesTheSoftLimitAndNeverLowersIt() {
        let (soft, hard) = FileLimit.current()
        let lowered = FileLimit.raise(to: 16)
        #expect(lowered.before == soft && lowered.after == soft)
        let raised = FileLimit.raise(to: hard)
        #expect(raised.before == soft && raised.after == hard && FileLimit.current().soft == hard)
    }
}
