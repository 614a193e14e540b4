import Glibc
import MultipathCore
import MultipathDaemon
import MultipathTestKit
import Testing

/// Shutdown with maps that queue I/O with no usable path, as 0.9.4 leaves them: with
/// `queue_without_daemon no` every map stops queueing (nobody would reinstate a path, so queued I/O
/// would wait forever), with `yes` (or after `forcequeueing daemon`) queueing stays for a daemon that
/// starts again. Either way the loop ends at once.
@Suite struct ShutdownStoryTests {
    enum Stop: CaseIterable { case sigterm, shutdownCommand }

    /// Two maps, every path offline: I/O queues in both when shutdown comes.
    func allPathsDown(_ config: String) throws -> Simulation {
        let sim = try Simulation(paths: [("sda", "3600a"), ("sdb", "3600a"), ("sdc", "3600b")])
        try sim.start("no_path_retry queue\n" + config, control: true)
        for p in ["sda", "sdb", "sdc"] { sim.kernel.paths[p]!.behavior = .offline }
        try sim.advance(by: .seconds(6))
        #expect(sim.active("mpatha", "sda") == false && sim.active("mpathb", "sdc") == false)
        #expect(sim.kernel.maps["mpatha"]!.queueing && sim.kernel.maps["mpathb"]!.queueing)
        return sim
    }

    func stop(_ sim: Simulation, _ how: Stop) throws {
        switch how {
        case .sigterm: raise(SIGTERM)
        case .shutdownCommand: #expect(try sim.ask("shutdown") == "ok\n")
        }
        try sim.daemon.run()
        #expect(sim.notified.last == "STOPPING=1\nSTATUS=shutdown")
    }

    @Test(arguments: Stop.allCases, [false, true])
    func queueWithoutDaemonDecidesWhetherQueuedIOFails(_ how: Stop, queueWithoutDaemon: Bool) throws {
        let sim = try allPathsDown("queue_without_daemon \(queueWithoutDaemon ? "yes" : "no")\n")
        let before = sim.messages.count
        try stop(sim, how)
        let sent = Set(sim.messages.dropFirst(before))
        #expect(sent == (queueWithoutDaemon ? [] : ["mpatha: fail_if_no_path", "mpathb: fail_if_no_path"]))
        #expect(sim.kernel.maps["mpatha"]!.queueing == queueWithoutDaemon)
    }

    /// `no_path_retry N` counting down is queueing too: cut short. A map whose countdown ran out is told
    /// again, as 0.9.4 tells every map (harmless: it fails I/O already).
    @Test func aCountdownIsCutShortAtShutdown() throws {
        let sim = try Simulation(paths: [("sda", "3600a"), ("sdb", "3600b")])
        try sim.start("no_path_retry 2\n", sections: "multipaths {\nmultipath {\nwwid 3600b\nno_path_retry 10\n}\n}\n")
        sim.kernel.paths["sda"]!.behavior = .offline
        sim.kernel.paths["sdb"]!.behavior = .offline
        try sim.advance(by: .seconds(20))
        let queueing = { sim.messages.filter { $0.hasSuffix("_if_no_path") } }
        #expect(queueing() == ["mpatha: fail_if_no_path"], "mpatha ran out after 2 x 5 s, mpathb counts 50 s")
        raise(SIGTERM)
        try sim.daemon.run()
        #expect(queueing() == ["mpatha: fail_if_no_path", "mpatha: fail_if_no_path", "mpathb: fail_if_no_path"])
    }

    /// Every map is told, whatever the model thinks it does: a map set to queue behind the daemon's back
    /// (`dmsetup message ... queue_if_no_path`) would otherwise hold its I/O with nobody to end it.
    @Test func aMapQueueingBehindTheDaemonsBackStopsToo() throws {
        let sim = try Simulation()
        try sim.start("no_path_retry fail\n")
        try sim.kernel.send(.queueIfNoPath, to: "mpatha")
        try sim.advance(by: .seconds(1))
        raise(SIGTERM)
        try sim.daemon.run()
        #expect(sim.messages == ["mpatha: queue_if_no_path", "mpatha: fail_if_no_path"] && !sim.kernel.maps["mpatha"]!.queueing)
    }

    /// 0.9.4 keeps the forced mode in its configuration, which a reconfigure reads again: forcing lasts
    /// until then.
    @Test func forceQueueingDaemonLastsUntilReconfigure() throws {
        let sim = try allPathsDown("")
        #expect(try sim.ask("forcequeueing daemon") == "ok\n")
        try sim.reconfigure("no_path_retry queue\n")
        let before = sim.messages.count
        try stop(sim, .sigterm)
        #expect(Set(sim.messages.dropFirst(before)) == ["mpatha: fail_if_no_path", "mpathb: fail_if_no_path"])
    }

    /// `restorequeueing daemon` undoes only the operator's forcing, not `queue_without_daemon yes`.
    @Test func restoreQueueingDaemonKeepsTheConfiguredYes() throws {
        let sim = try allPathsDown("queue_without_daemon yes\n")
        #expect(try sim.ask("forcequeueing daemon") == "ok\n")
        #expect(try sim.ask("restorequeueing daemon") == "ok\n")
        let before = sim.messages.count
        try stop(sim, .shutdownCommand)
        #expect(sim.messages.count == before && sim.kernel.maps["mpathb"]!.queueing)
    }
}
