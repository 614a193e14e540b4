import MultipathCore
import MultipathTestKit
import Testing

/// Keywords whose effect only shows through the real daemon over the fake kernel.
@Suite struct KeywordStoryTests {
    /// `path_checker none` sends nothing to the device and reports its sysfs state, as 0.9.4's: an
    /// offline device is failed, and reinstated once it runs again.
    @Test func noneCheckerFollowsTheDeviceState() throws {
        let sim = try Simulation()
        try sim.start("path_checker none")
        _ = try #require(try sim.advance(until: { sim.kernel.creates == 1 }, limit: .seconds(1)))
        let commands = sim.kernel.paths["sdb"]!.commands
        sim.kernel.paths["sdb"]!.behavior = .offline
        _ = try #require(try sim.advance(until: { sim.active("mpatha", "sdb") == false }, limit: .seconds(10)))
        #expect(sim.daemon.engine.paths[sim.devT("sdb")]?.health.state == .down)
        sim.kernel.paths["sdb"]!.behavior = .good
        _ = try #require(try sim.advance(until: { sim.active("mpatha", "sdb") == true }, limit: .seconds(10)))
        #expect(sim.kernel.paths["sdb"]!.commands == commands, "the none checker sends no command")
    }

    static let lun = "36001405" + String(repeating: "a", count: 25)
    static let otherLUN = "36001405" + String(repeating: "b", count: 25)

    /// `recheck_wwid yes`: a path that comes back is asked its WWID (INQUIRY VPD 0x83) before it is
    /// reinstated. The same WWID reinstates it; another drops it from its map and asks udev to add it
    /// again, and the add (udev reads the new WWID) puts it in a map of its own.
    @Test func recheckWWIDDropsAPathWhoseLUNChanged() throws {
        let sim = try Simulation(paths: [("sda", Self.lun), ("sdb", Self.lun)])
        try sim.start("recheck_wwid yes")
        _ = try #require(try sim.advance(until: { sim.kernel.creates == 1 }, limit: .seconds(1)))
        // The create's own change uevents to the paths (udev re-claims them) come before the story.
        let atCreate = sim.kernel.triggeredUevents
        let sdb = sim.devT("sdb")
        for (round, wwid) in [(1, nil), (2, Self.otherLUN)] as [(Int, String?)] {
            sim.kernel.paths["sdb"]!.behavior = .offline
            _ = try #require(try sim.advance(until: { sim.active("mpatha", "sdb") == false }, limit: .seconds(10)))
            sim.kernel.paths["sdb"]!.deviceWWID = wwid
            sim.kernel.paths["sdb"]!.behavior = .good
            if round == 1 {
                _ = try #require(try sim.advance(until: { sim.active("mpatha", "sdb") == true }, limit: .seconds(10)))
                #expect(sim.kernel.triggeredUevents == atCreate)
                #expect(!sim.log.lines.messages.contains("sdb: failed to check wwid by sgio"), "the device answered")
            }
        }
        _ = try #require(try sim.advance(until: { sim.kernel.triggeredUevents == atCreate + ["add sdb"] }, limit: .seconds(10)))
        #expect(sim.kernel.maps["mpatha"]?.table.pathDevices == ["8:0"], "sdb left the map")
        #expect(sim.daemon.engine.orphans[sdb]?.reason == .wwidChanged(from: Self.lun, to: Self.otherLUN))
        #expect(sim.log.lines.messages.contains("sdb: wwid '\(Self.lun)' doesn't match wwid '\(Self.otherLUN)' from device"))
        // udev's add, with the WWID it reads now.
        sim.kernel.paths["sdb"]!.wwid = Self.otherLUN
        sim.udev.push(sim.kernel.uevent(.add, "sdb"))
        _ = try #require(try sim.advance(until: { sim.kernel.creates == 2 }, limit: .seconds(10)))
        #expect(sim.daemon.engine.maps[WWID(Self.otherLUN)]?.members == [sdb])
    }

    /// `wwids_file` and `bindings_file`: a new map's WWID and its friendly name are written where the
    /// configuration says.
    @Test func wwidsAndBindingsGoToTheConfiguredFiles() throws {
        let sim = try Simulation()
        try sim.start("wwids_file /etc/multipath/my-wwids\nbindings_file /etc/multipath/my-bindings")
        _ = try #require(try sim.advance(until: { sim.kernel.creates == 1 }, limit: .seconds(1)))
        #expect(sim.files.contents["/etc/multipath/my-wwids"]?.contains("/3600a/") == true)
        #expect(sim.files.contents["/etc/multipath/my-bindings"]?.contains("mpatha 3600a") == true)
        #expect(sim.files.contents["/etc/multipath/wwids"] == nil && sim.files.contents["/etc/multipath/bindings"] == nil)
    }

    @Test func prkeysGoToTheConfiguredFile() throws {
        let sim = try Simulation()
        try sim.start("reservation_key file\nprkeys_file /etc/multipath/my-prkeys", control: true)
        _ = try #require(try sim.advance(until: { sim.kernel.creates == 1 }, limit: .seconds(1)))
        #expect(try sim.ask("setprkey map mpatha key 0x10") == "ok\n")
        #expect(sim.files.contents["/etc/multipath/my-prkeys"] == PRKeysFile.header + "0x0000000000000010 3600a\n")
        #expect(sim.files.contents["/etc/multipath/prkeys"] == nil)
    }

    /// NVMe namespaces have no sg device for the checkers: no map is built over them, and the log says
    /// why, instead of a map whose paths never become usable.
    @Test func nvmePathsGetNoMap() throws {
        let sim = try Simulation(paths: [("nvme0n1", "3600a"), ("nvme1n1", "3600a")])
        try sim.start()
        try sim.advance(by: .seconds(10))
        #expect(sim.kernel.creates == 0 && sim.daemon.engine.paths.isEmpty)
        let refused = sim.log.lines.messages.filter { $0.contains("NVMe paths are not supported yet") }
        #expect(refused.count == 2 && refused[0].hasPrefix("nvme0n1: not multipathed"))
    }
}
