import MultipathCore
import MultipathDaemon
import MultipathTestKit
import Testing

/// Maps leaving the kernel as 0.9.4's flush does: kpartx partition maps first, an open map kept, a
/// remove that udev briefly holds up tried again while the control reply waits, `deferred_remove`.
@Suite struct RemovalStoryTests {
    func started(_ config: String = "") throws -> Simulation {
        let sim = try Simulation()
        try sim.start(config, control: true)
        return sim
    }

    @Test func delMapRemovesThePartitionMapsFirst() throws {
        let sim = try started()
        sim.kernel.addPartitionMap(1, on: "mpatha")
        sim.kernel.addPartitionMap(2, on: "mpatha")
        #expect(try sim.ask("del map mpatha") == "ok\n")
        #expect(sim.kernel.maps.isEmpty && sim.kernel.partitionMaps.isEmpty && sim.kernel.removes == 3)
        #expect(sim.daemon.engine.maps.isEmpty)
    }

    @Test func delMapFailsWhileAPartitionIsMountedAndKeepsEverything() throws {
        let sim = try started()
        let part = sim.kernel.addPartitionMap(1, on: "mpatha")
        sim.kernel.setOpen(part, true)
        try sim.send("del map mpatha")
        #expect(try sim.replies() == "", "tried again while the bound lasts")
        try sim.advance(by: .seconds(3))
        #expect(try sim.replies() == "fail\n")
        #expect(sim.kernel.removes == 0 && sim.kernel.partitionMaps.count == 1 && sim.kernel.maps["mpatha"] != nil)
        #expect(sim.log.lines.messages.contains { $0.contains("partition mpatha-part1 in use") })
        #expect(sim.daemon.engine.map(named: "mpatha") != nil)
    }

    /// udev reads a freshly loaded table for a moment: the remove is tried again on a timer, the reply
    /// waits for it, and other clients' commands are answered meanwhile.
    @Test func delMapWaitsOutABriefHolderWithoutHoldingTheLoop() throws {
        let sim = try started()
        sim.kernel.setOpen("mpatha", true)
        try sim.send("del map mpatha")
        try sim.advance(by: .milliseconds(250))
        #expect(try sim.replies() == "")
        let other = try sim.otherClient()
        other.send(request: "show daemon")
        try sim.pump()
        #expect(other.replies().joined().contains("pid"), "the loop answers others meanwhile")
        sim.kernel.setOpen("mpatha", false)
        let answered = try sim.advance(until: { (try? sim.replies()).map { !$0.isEmpty } ?? false }, limit: .seconds(1))
        #expect(answered != nil)
        #expect(sim.kernel.maps.isEmpty && sim.daemon.engine.maps.isEmpty)
        #expect(sim.log.lines.messages.filter { $0.contains("trying again") }.count == 1, "logged once, not per try")
    }

    @Test func delMapsAnswersOnceEveryRemoveIsDone() throws {
        let sim = try Simulation(paths: [("sda", "3600a"), ("sdb", "3600b")])
        try sim.start(control: true)
        sim.kernel.setOpen("mpatha", true)
        try sim.send("del maps")
        #expect(sim.kernel.maps.keys.sorted() == ["mpatha"], "the closed one at once")
        try sim.advance(by: .milliseconds(400))
        #expect(try sim.replies() == "")
        sim.kernel.setOpen("mpatha", false)
        try sim.advance(by: .milliseconds(200))
        #expect(try sim.replies() == "ok\n" && sim.kernel.maps.isEmpty)
    }

    @Test func theLastPathTakesThePartitionMapsWithTheMap() throws {
        let sim = try started()
        sim.kernel.addPartitionMap(1, on: "mpatha")
        try sim.push([sim.kernel.removePath("sda"), sim.kernel.removePath("sdb")])
        #expect(sim.kernel.maps.isEmpty && sim.kernel.partitionMaps.isEmpty)
        #expect(sim.daemon.engine.map(named: "mpatha") == nil)
    }

    /// Under `deferred_remove` an open map's removal is left to the kernel (at its last close); it is
    /// loaded with no paths meanwhile, as 0.9.4 does. Without it the map stays.
    @Test(arguments: [true, false])
    func anOpenMapsLastPathUnderDeferredRemove(deferred: Bool) throws {
        let sim = try started(deferred ? "deferred_remove yes" : "")
        let part = sim.kernel.addPartitionMap(1, on: "mpatha")
        sim.kernel.setOpen(part, true)
        try sim.push([sim.kernel.removePath("sda"), sim.kernel.removePath("sdb")])
        #expect(sim.kernel.maps["mpatha"]?.table.pathDevices == [], "loaded with no paths")
        #expect(sim.kernel.deferredRemovals == (deferred ? ["mpatha", part] : []))
        let gone = sim.kernel.setOpen(part, false)
        #expect((sim.kernel.maps["mpatha"] == nil) == deferred, "the kernel removed it at the last close")
        #expect(gone.count == (deferred ? 2 : 0), "udev hears of it; no DM event comes")
        try sim.push(gone)
        try sim.advance(by: .milliseconds(100))
        #expect((sim.daemon.engine.map(named: "mpatha") == nil) == deferred, "the daemon lists the maps again")
    }

    /// A path returning to a map whose removal the kernel holds takes the removal back (partition maps
    /// first), so that the map does not vanish under its new user at the next close.
    @Test func aReturningPathCancelsTheDeferredRemoval() throws {
        let sim = try started("deferred_remove yes")
        let part = sim.kernel.addPartitionMap(1, on: "mpatha")
        sim.kernel.setOpen(part, true)
        try sim.push([sim.kernel.removePath("sda"), sim.kernel.removePath("sdb")])
        #expect(sim.kernel.deferredRemovals == ["mpatha", part])
        try sim.push([sim.kernel.addPath("sdc", wwid: "3600a")])
        try sim.advance(by: .milliseconds(100))
        #expect(sim.kernel.deferredRemovals.isEmpty)
        #expect(sim.kernel.messages.filter { $0.message == .cancelDeferredRemove }.map(\.map) == [part, "mpatha"])
        sim.kernel.setOpen(part, false)
        try sim.advance(by: .milliseconds(100))
        #expect(sim.kernel.maps["mpatha"]?.table.pathDevices == ["\(sim.devT("sdc"))"])
    }
}
