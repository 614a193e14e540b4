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

    /// Two NVMe/TCP namespaces of one LUN: one bio-based map of both under the generic NVMe hardware
    /// entry (one group, group_by_prio; `no_path_retry queue` from the defaults), checked by `none` on the
    /// controller's state (heard after the start's burst, so both paths are in the create), with no sg
    /// node looked for and no command sent: a controller reconnecting after a link cut fails its path,
    /// `live` again reinstates it.
    @Test func nvmePathsAreCheckedByTheirControllerState() throws {
        let sim = try Simulation(paths: [("nvme0n1", "uuid.58"), ("nvme1n1", "uuid.58")])
        try sim.start("no_path_retry queue")
        _ = try #require(try sim.advance(until: { sim.kernel.creates == 1 }, limit: .seconds(1)))
        let table = try #require(sim.kernel.maps["mpatha"]?.table)
        #expect(table.description == "3 queue_if_no_path queue_mode bio 0 1 1 service-time 0 2 1 8:0 1 8:16 1")
        #expect(sim.kernel.reloads == 0, "created with both paths: the checker's answer waits for the burst")
        let path = try #require(sim.daemon.engine.paths[sim.devT("nvme0n1")])
        #expect(path.identity.vendor == "NVME" && path.identity.product == "Linux" && path.identity.transport == .nvme(.tcp))
        // detect_prio's ana; this controller reports no ANA (CMIC), so the configured prio, const, runs.
        #expect(path.settings.checker.value == .none && path.settings.prio.value == .ana && path.health.priority == 1)
        sim.kernel.paths["nvme0n1"]!.behavior = .offline
        _ = try #require(try sim.advance(until: { sim.active("mpatha", "nvme0n1") == false }, limit: .seconds(10)))
        // `show paths` dev_st, as the checker last read the controller's state: a reconnecting
        // controller's path is still `running` in 0.9.4, a dead one's `offline`.
        let nvme0 = sim.devT("nvme0n1")
        for (state, shown) in [("connecting", "running"), ("dead", "offline")] {
            sim.kernel.attributes["block/nvme0n1/device/state"] = state
            try sim.advance(by: .seconds(6))
            #expect(sim.daemon.engine.pathSnapshots(now: sim.clock.now).first { $0.identity.devT == nvme0 }?.deviceState == shown)
        }
        sim.kernel.attributes["block/nvme0n1/device/state"] = nil
        sim.kernel.paths["nvme0n1"]!.behavior = .good
        _ = try #require(try sim.advance(until: { sim.active("mpatha", "nvme0n1") == true }, limit: .seconds(10)))
        #expect(sim.kernel.paths.values.allSatisfy { $0.commands == 0 && $0.reads == 0 }, "no sg command, no read")
        #expect(sim.kernel.paths.values.allSatisfy { $0.nvmeAdminCommands.allSatisfy { $0 == "identify controller" } })
        #expect(!sim.log.lines.messages.contains { $0.contains("sg device") })
    }
}
