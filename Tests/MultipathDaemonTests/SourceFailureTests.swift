import Glibc
import MultipathCore
import MultipathDaemon
import MultipathReactor
import MultipathSystem
import MultipathTestKit
import Testing

/// Each event source's failure as ARCHITECTURE.md's "When a source fails" says, on the whole daemon:
/// recovered, or the daemon ends loudly; never quiet. (The control listener under EMFILE:
/// `ControlServerTests.theListenerSurvivesEMFILEAndServesTheWaitingClient` and lab case 56; an sg
/// fd's and the AIO eventfd's errors: `PathIOTests`; udev ENOBUFS: `DaemonTests`.)
@Suite struct SourceFailureTests {
    /// A monitor that fails other than by overflow ends the loop (`StoryTests.aBrokenUdevMonitorStopsTheDaemonLoudly`):
    /// `multipathd` logs why and exits 1, for systemd's `Restart=`.
    @Test func aBrokenUdevMonitorEndsTheDaemonWithStatus1AndALogLine() throws {
        let h = try Harness(paths: [("sda", "3600a")])
        h.udev.pushFailure(SystemError("udev_monitor_receive_device", Errno(rawValue: EIO)))
        // Were the failure ignored, the loop would run on: end it, and the status says so.
        h.reactor.schedule(earliest: h.reactor.now + .seconds(10), name: "test limit") { [unowned h] in h.reactor.stop() }
        #expect(DaemonMain.serve(h.daemon, logger: h.log.logger) == 1)
        let last = h.log.lines.entries.last
        #expect(last?.level == .error)
        #expect(last?.message == "udev monitor failed: udev_monitor_receive_device: Input/output error; the loop stopped")
    }

    /// DM events failing for good keep being retried, every 5 s at most and logged each time; the checks
    /// of the other paths keep their schedule meanwhile, and the kernel-failed path is seen the moment an
    /// arm and list succeed again.
    @Test func dmEventsFailingForLongAreRetriedAtTheCapAndComeBack() throws {
        let sim = try Simulation()
        try sim.start()
        sim.kernel.dmEventFailures = Array(repeating: Errno(rawValue: ENOMEM), count: 12)
        let t = sim.clock.now
        let turs = sim.kernel.paths["sda"]!.commands
        sim.kernel.kernelFails("sdb")
        let back = try #require(try sim.advance(until: { sim.active("mpatha", "sdb") == true }, limit: .seconds(60)))
        // 0.1 + 0.2 + 0.4 + 0.8 + 1.6 + 3.2 s, then six times the cap of 5 s; then one TUR.
        #expect(back - t >= .milliseconds(36_300) && back - t <= .milliseconds(36_310))
        let retries = sim.log.lines.messages.filter { $0.contains("dm events failed") && $0.contains("retrying in") }
        #expect(retries.count == 12)
        #expect(retries.suffix(6).allSatisfy { $0.hasSuffix("retrying in 5.0 seconds") })
        #expect(sim.kernel.paths["sda"]!.commands - turs >= 7, "sda checked every polling_interval (5 s) meanwhile")
    }
}
