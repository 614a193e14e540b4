import MultipathCore
import MultipathDaemon
import MultipathTestKit
import Testing

/// Start-up as 0.9.4 orders it: systemd hears READY=1 once the maps of the disks present at start are
/// built (LVM and local file systems wait for it), or once a checker timeout has passed; the control
/// socket takes clients from before the disks are listed.
@Suite struct BootOrderStoryTests {
    static let ready = "READY=1\nSTATUS=up"

    @Test func readyComesOnlyOnceTheStartUpMapsExist() throws {
        let sim = try Simulation()
        sim.kernel.latency = .milliseconds(300)
        var mapsAtReady: Int?
        try sim.start(control: true)
        #expect(!sim.notified.contains(Self.ready) && sim.kernel.maps.isEmpty, "checks still out")
        #expect(try sim.ask("show daemon").hasSuffix("configure\n"))
        let readyAt = try sim.advance(until: {
            if sim.notified.contains(Self.ready), mapsAtReady == nil { mapsAtReady = sim.kernel.maps.count }
            return mapsAtReady != nil
        })
        #expect(readyAt != nil && mapsAtReady == 1, "READY=1 after the map was created")
        #expect(sim.notified.filter { $0 == Self.ready }.count == 1)
        #expect(try sim.ask("show daemon").hasSuffix("idle\n"))
    }

    @Test func aPathWhoseCheckNeverEndsHoldsReadyOnlyForTheCheckerTimeout() throws {
        let sim = try Simulation(paths: [("sda", "3600a"), ("sdb", "3600b")])
        sim.kernel.paths["sdb"]!.latency = .seconds(60)
        let start = sim.clock.now
        try sim.start("checker_timeout 5")
        let readyAt = try #require(try sim.advance(until: { sim.notified.contains(Self.ready) }))
        #expect(readyAt - start >= .seconds(5) && readyAt - start <= .seconds(7), "bounded by checker_timeout")
        #expect(sim.kernel.maps.keys.sorted() == ["mpatha"], "the map of the healthy path exists")
        #expect(sim.log.lines.messages.contains { $0.contains("ready anyway") })
    }

    @Test func withNoDisksReadyComesAtOnce() throws {
        let sim = try Simulation(paths: [])
        try sim.start()
        #expect(sim.notified.last == Self.ready)
    }

    @Test func theControlSocketTakesClientsBeforeTheDisksAreListed() throws {
        let sim = try Simulation()
        var early: TestClient?
        sim.onEnumerate = { early = try? sim.otherClient() }
        try sim.start(control: true)
        let client = try #require(early, "connected while the daemon listed the disks")
        client.send(request: "show daemon")
        try sim.pump()
        #expect(client.replies().joined().hasPrefix("pid "))
    }
}
