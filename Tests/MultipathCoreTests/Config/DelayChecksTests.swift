import MultipathRegex
import Testing

@testable import MultipathCore

/// 0.9.4 maps the deprecated `delay_watch_checks` / `delay_wait_checks` onto `san_path_err_*`.
@Suite struct DelayChecksTests {
    static func settings(_ defaults: String) -> (ResolvedMapSettings, [ConfigDiagnostic]) {
        let (config, diagnostics) = ConfigLoader.load(
            main: ("/etc/multipath.conf", "defaults {\n\(defaults)\n}\n"), confD: [], regex: .glibc)
        return (config.mapSettings(wwid: "3600a", paths: []), diagnostics)
    }

    @Test func delayChecksBecomeSanPathErrSettings() {
        let (s, diagnostics) = Self.settings("polling_interval 5\ndelay_watch_checks 3\ndelay_wait_checks 2")
        #expect(diagnostics.isEmpty, "delay_*_checks do not warn")
        #expect(s.sanPathErrThreshold == Resolved(value: 1, origin: .impliedByDelayWatchChecks, location: nil))
        #expect(s.sanPathErrForgetRate == Resolved(value: 3, origin: .impliedByDelayWatchChecks, location: nil))
        // wait checks times max_polling_interval (here polling_interval, our default for it).
        #expect(s.sanPathErrRecoveryTime == Resolved(value: 10, origin: .impliedByDelayWaitChecks, location: nil))
        #expect(s.loggedOrigins.contains("san_path_err_recovery_time = 10 (setting: implied by delay_wait_checks)"))
    }

    @Test func waitChecksAloneImplyTheThreshold() {
        let (s, _) = Self.settings("max_polling_interval 20\ndelay_wait_checks 2")
        #expect(s.sanPathErrThreshold == Resolved(value: 1, origin: .impliedByDelayWaitChecks, location: nil))
        #expect(s.sanPathErrForgetRate.value == nil)
        #expect(s.sanPathErrRecoveryTime.value == 40)
    }

    @Test func sanPathErrSettingsWinAndWarnOnce() {
        let (s, diagnostics) = Self.settings("delay_watch_checks 3\nsan_path_err_forget_rate 7\nsan_path_err_recovery_time 9")
        #expect(s.delayChecksIgnored)
        #expect(s.sanPathErrThreshold.value == nil && s.sanPathErrForgetRate.value == 7)
        #expect(s.loggedOrigins.last?.hasSuffix("ignoring delay_checks options") == true)
        #expect(
            diagnostics.map(\.description) == [
                "/etc/multipath.conf line 3, san_path_err_forget_rate: option san_path_err_forget_rate is deprecated, please use marginal_path options instead"
            ])
    }

    @Test func noDelayChecksChangeNothing() {
        let (s, _) = Self.settings("")
        #expect(!s.delayChecksIgnored && s.sanPathErrThreshold.value == nil && s.sanPathErrThreshold.origin == .internalDefault)
    }
}
