import MultipathCore
import MultipathTestKit
import Testing

/// Transport events: a path behind an iSCSI session that is logged in again is re-probed at once, not at
/// its next re-probe slot (`TransportWatch`, `Multipaths+Transport`).
@Suite struct TransportEventStoryTests {
    static func state(_ sim: Simulation, _ session: Int) -> String? { sim.kernel.attributes["class/iscsi_session/session\(session)/state"] }

    /// sda behind session1, sdb behind session2, both logged in.
    static func iscsi() throws -> Simulation {
        let sim = try Simulation()
        for (n, path) in [(1, "sda"), (2, "sdb")] {
            sim.kernel.paths[path]!.devPath = "devices/platform/host\(n)/session\(n)/target\(n):0:0/\(n):0:0:0/block/\(path)"
            sim.kernel.attributes["class/iscsi_session/session\(n)/state"] = "LOGGED_IN"
            sim.kernel.attributes["class/iscsi_session/session\(n)/recovery_tmo"] = "15"
        }
        return sim
    }

    @Test func aSessionLoggedInAgainHasItsPathReinstatedWithinOneWatchPeriod() throws {
        let sim = try Self.iscsi()
        try sim.start()
        #expect(sim.active("mpatha", "sda") == true)
        // The link goes: the session is in recovery, then recovery_tmo runs out and the disk is offline.
        sim.kernel.paths["sda"]!.behavior = .offline
        sim.kernel.attributes["class/iscsi_session/session1/state"] = "FREE"
        #expect(try sim.advance(until: { sim.active("mpatha", "sda") == false }) != nil)
        try sim.advance(by: .seconds(2))
        // Just after a re-probe (of the offline device: a read of its state), so that the next slot is
        // 75-100 ms away.
        let read = sim.kernel.paths["sda"]!.attributeReads
        let probed = try #require(try sim.advance(until: { sim.kernel.paths["sda"]!.attributeReads > read }))
        try sim.advance(by: .milliseconds(2))
        sim.kernel.paths["sda"]!.behavior = .good
        sim.kernel.attributes["class/iscsi_session/session1/state"] = "LOGGED_IN"
        let back = try #require(try sim.advance(until: { sim.active("mpatha", "sda") == true }))
        #expect(back - probed <= .milliseconds(15), "one watch period (10 ms) and the TUR, not the 100 ms slot: \(back - probed)")
        #expect(sim.log.lines.messages.contains("sda: session1 is back: probing now"))
        #expect(Self.state(sim, 2) == "LOGGED_IN" && sim.active("mpatha", "sdb") == true)
    }

    @Test func nothingIsWatchedWhileThePathsAreUpOrWithoutReprobing() throws {
        let sim = try Self.iscsi()
        try sim.start()
        let timers = sim.reactor.stats.timersFired
        try sim.advance(by: .seconds(10))
        // Healthy paths: only their checks (about one per path every 5 to 20 s), no 10 ms watch.
        #expect(sim.reactor.stats.timersFired - timers < 10)
        let off = try Self.iscsi()
        try off.start("failed_path_reprobe_ms off")
        off.kernel.paths["sda"]!.behavior = .offline
        off.kernel.attributes["class/iscsi_session/session1/state"] = "FREE"
        #expect(try off.advance(until: { off.active("mpatha", "sda") == false }) != nil)
        off.kernel.paths["sda"]!.behavior = .good
        off.kernel.attributes["class/iscsi_session/session1/state"] = "LOGGED_IN"
        let t = off.clock.now
        let back = try #require(try off.advance(until: { off.active("mpatha", "sda") == true }))
        #expect(back - t > .seconds(1), "as 0.9.4: the next check at polling_interval finds it")
    }
}
