import MultipathCore
import MultipathTestKit
import Testing

/// What the daemon tells udev: the flags on its creates, reloads and renames.
@Suite struct UdevStoryTests {
    @Test func aCreateWithUsablePathsCarriesNoFlagAndReloadsCarryTheReloadFlag() throws {
        let sim = try Simulation()
        try sim.start()
        #expect(sim.kernel.udevFlagLog == ["create mpatha []"])
        try sim.push([sim.kernel.removePath("sda")])
        #expect(sim.kernel.udevFlagLog.last == "resume mpatha [reload]")
        // The map is open when its last path leaves: it is loaded empty, not ready for udev.
        sim.kernel.setOpen("mpatha", true)
        try sim.push([sim.kernel.removePath("sdb")])
        #expect(sim.kernel.udevFlagLog.last == "resume mpatha [reload,no-paths]")
    }

    @Test func aMapWhosePathsAreAllDownIsCreatedWithNoPaths() throws {
        let sim = try Simulation()
        sim.kernel.paths["sda"]!.behavior = .offline
        sim.kernel.paths["sdb"]!.behavior = .offline
        try sim.start()
        #expect(sim.kernel.udevFlagLog == ["create mpatha [no-paths]"])
    }

    @Test func skipKpartxSetsNoKpartxOnEveryLoad() throws {
        let sim = try Simulation()
        try sim.start("skip_kpartx yes\n", control: true)
        #expect(sim.kernel.udevFlagLog == ["create mpatha [no-kpartx]"])
        try sim.push([sim.kernel.removePath("sda")])
        #expect(sim.kernel.udevFlagLog.last == "resume mpatha [reload,no-kpartx]")
    }

    /// An operator's reload asks udev to look at the map afresh (0.9.4's `force_udev_reload`).
    @Test func theOperatorsReloadIsNotMarkedAsAReload() throws {
        let sim = try Simulation()
        try sim.start(control: true)
        #expect(try sim.ask("reload map mpatha") == "ok\n")
        #expect(sim.kernel.udevFlagLog.last == "resume mpatha []")
        // 0.9.4's `resume map` always skips kpartx.
        #expect(try sim.ask("suspend map mpatha") == "ok\n" && sim.ask("resume map mpatha") == "ok\n")
        #expect(sim.kernel.udevFlagLog.last == "resume mpatha [no-kpartx]")
    }

    /// find_multipaths smart: a lone path is held for find_multipaths_timeout once, then released.
    @Test func aLonePathUnderSmartIsHeldOnceThenReleased() throws {
        let sim = try Simulation(paths: [("sda", "3600a")])
        try sim.start("find_multipaths smart\nfind_multipaths_timeout 5\n")
        try sim.advance(by: .seconds(60))
        #expect(sim.kernel.creates == 0)
        #expect(sim.log.lines.messages.filter { $0.contains("sda: waiting for a second path") }.count == 1, "\(sim.log.lines.messages)")
        #expect(sim.log.lines.messages.filter { $0.contains("sda: not multipathed (find_multipaths smart)") }.count == 1)
        #expect(sim.daemon.engine.orphans[sim.devT("sda")]?.reason == .notMultipathed(.smart))
    }
}

/// The uevents the daemon asks of udev around a create, and /run/multipath/failed_wwids.
@Suite struct UdevTriggerStoryTests {
    static let failed = FakeMultipathKernel.failedWWIDs + "3600a"

    /// A map for a WWID new to the wwids file: its paths udev did not claim get a `change` uevent, so
    /// that `multipath -u` claims them now; a claimed one needs none.
    @Test func aNewMapsUnclaimedPathsGetAChangeUevent() throws {
        let sim = try Simulation()
        sim.kernel.paths["sdb"]!.claimedByUdev = true
        try sim.start()
        #expect(sim.kernel.triggeredUevents == ["change sda"])
        // A path that joins the map later is told too; a restart with the WWID known tells none.
        sim.kernel.addPath("sdc", wwid: "3600a")
        try sim.push([sim.kernel.uevent(.add, "sdc")])
        #expect(sim.kernel.triggeredUevents == ["change sda", "change sdc"])
        let again = try sim.restarted()
        try sim.kernel.remove("mpatha", deferred: false)
        try again.start()
        #expect(again.kernel.creates == 2 && again.kernel.triggeredUevents == ["change sda", "change sdc"])
    }

    /// A refused create marks the WWID failed and frees its claimed paths with an `add` uevent, once;
    /// the map made later unmarks it and claims them again.
    @Test func aRefusedCreateMarksTheWWIDFailedUntilAMapIsMade() throws {
        let sim = try Simulation()
        for p in ["sda", "sdb"] { sim.kernel.paths[p]!.claimedByUdev = true }
        sim.kernel.failingCreates = 1
        try sim.start()
        #expect(sim.kernel.creates == 0 && sim.files.contents[Self.failed] == "")
        #expect(sim.kernel.triggeredUevents == ["add sda", "add sdb"])
        #expect(sim.files.contents["/etc/multipath/wwids"] == nil, "not remembered: no map was made")
        #expect(sim.daemon.engine.maps.isEmpty)
        for p in ["sda", "sdb"] { sim.kernel.paths[p]!.claimedByUdev = false }
        let again = try sim.restarted()
        try again.start()
        #expect(again.kernel.creates == 1 && again.files.contents[Self.failed] == nil)
        #expect(again.kernel.triggeredUevents == ["add sda", "add sdb", "change sda", "change sdb"])
    }
}

/// missing_uev_wait_timeout: reloads of a new map wait for its creation uevent, as 0.9.4's wait_for_udev.
@Suite struct UdevWaitStoryTests {
    static let mapUevent = Uevent(action: .change, sysname: "dm-1", properties: [("DM_NAME", "mpatha"), ("DM_UUID", "mpath-3600a")])

    @Test func aReloadWaitsForTheMapsUevent() throws {
        let sim = try Simulation()
        sim.kernel.holdMapUevents = true
        try sim.start()
        try sim.push([sim.kernel.removePath("sda")])
        #expect(sim.kernel.reloads == 0 && sim.log.lines.messages.contains("mpatha: reload delayed until udev has seen the new map"))
        try sim.advance(by: .seconds(5))
        #expect(sim.kernel.reloads == 0)
        try sim.push([Self.mapUevent])
        #expect(sim.kernel.reloads == 1 && sim.kernel.maps["mpatha"]?.table.pathDevices == ["8:16"])
    }

    /// As 0.9.4, `resume map` is refused until then.
    @Test func resumeIsRefusedUntilUdevSawTheMap() throws {
        let sim = try Simulation()
        sim.kernel.holdMapUevents = true
        try sim.start(control: true)
        #expect(try sim.ask("resume map mpatha") == "fail\n")
        #expect(sim.log.lines.messages.contains { $0.contains("mpatha: device not fully created, failing resume") })
        try sim.push([Self.mapUevent])
        #expect(try sim.ask("resume map mpatha") == "ok\n")
    }

    @Test func withoutItTheReloadGoesAheadAtTheTimeout() throws {
        let sim = try Simulation()
        sim.kernel.holdMapUevents = true
        try sim.start("missing_uev_wait_timeout 10\n")
        let created = sim.clock.now
        try sim.push([sim.kernel.removePath("sda")])
        let reloaded = try #require(try sim.advance(until: { sim.kernel.reloads == 1 }, limit: .seconds(60)))
        #expect(reloaded - created > .seconds(9) && reloaded - created <= .seconds(10), "10 s after the create")
        #expect(sim.log.lines.messages.contains("mpatha: timeout waiting on creation uevent, enabling reloads"))
        // Later reloads do not wait.
        sim.kernel.addPath("sdc", wwid: "3600a")
        try sim.push([sim.kernel.uevent(.add, "sdc")])
        try sim.advance(by: .seconds(1))
        #expect(sim.kernel.maps["mpatha"]?.table.pathDevices == ["8:16", "8:32"])
    }
}

/// retrigger_tries and retrigger_delay: a path udev set up without its uid_attribute, as 0.9.4's
/// INIT_MISSING_UDEV.
@Suite struct RetriggerStoryTests {
    @Test func aPathUdevLeftIncompleteIsAskedAgainUntilItIsComplete() throws {
        let sim = try Simulation()
        try sim.start("retrigger_delay 5\n")
        let sdc = sim.kernel.addPath("sdc", wwid: "3600a")
        sim.kernel.paths["sdc"]!.udevIncomplete = true
        try sim.push([sim.kernel.uevent(.add, "sdc")])
        let added = sim.clock.now
        #expect(sim.daemon.engine.orphans[sdc.devnum!]?.reason == .udevIncomplete(retriggers: 0))
        _ = try sim.advance(until: { sim.kernel.triggeredUevents.contains("change sdc") })
        #expect(sim.clock.now - added == .seconds(5))
        // udev finishes with the second change: the path joins its map.
        sim.kernel.paths["sdc"]!.udevIncomplete = false
        _ = try sim.advance(until: { sim.kernel.maps["mpatha"]?.table.pathDevices.contains("8:32") == true })
        #expect(sim.clock.now - added >= .seconds(10) && sim.clock.now - added < .milliseconds(10_100), "its first check done")
        // The third: a path joining a map is told again, udev had not claimed it.
        #expect(sim.kernel.triggeredUevents.filter { $0 == "change sdc" }.count == 3)
    }

    /// After retrigger_tries change uevents, a path still without a WWID is given up, with 0.9.4's line.
    @Test func afterTheTriesThePathIsGivenUp() throws {
        let sim = try Simulation()
        try sim.start("retrigger_delay 5\nretrigger_tries 2\n")
        let sdc = sim.kernel.addPath("sdc", wwid: "3600a")
        sim.kernel.paths["sdc"]!.udevIncomplete = true
        try sim.push([sim.kernel.uevent(.add, "sdc")])
        try sim.advance(by: .seconds(60))
        #expect(sim.kernel.triggeredUevents.filter { $0 == "change sdc" }.count == 2)
        #expect(sim.daemon.engine.orphans[sdc.devnum!]?.reason == .noWWID)
        #expect(sim.log.lines.messages.contains("sdc: not initialized after 2 udev retriggers"))
    }
}

/// find_multipaths smart and on: the WWID's other paths count, those held back included, as 0.9.4's
/// should_multipath looks for them among all the paths it knows.
@Suite struct FindMultipathsStoryTests {
    @Test(arguments: ["smart", "on"])
    func twoPathsOfOneWWIDMakeAMapAtOnce(mode: String) throws {
        let sim = try Simulation()
        try sim.start("find_multipaths \(mode)\nfind_multipaths_timeout 5\n")
        #expect(sim.kernel.maps["mpatha"]?.table.pathDevices == ["8:0", "8:16"])
    }

    @Test(arguments: ["smart", "on"])
    func aPathThatComesLaterTakesTheReleasedOne(mode: String) throws {
        let sim = try Simulation(paths: [("sda", "3600a")])
        try sim.start("find_multipaths \(mode)\nfind_multipaths_timeout 5\n")
        try sim.advance(by: .seconds(20))
        #expect(sim.kernel.creates == 0)
        sim.kernel.addPath("sdb", wwid: "3600a")
        try sim.push([sim.kernel.uevent(.add, "sdb")])
        try sim.advance(by: .seconds(1))
        #expect(sim.kernel.maps["mpatha"]?.table.pathDevices == ["8:0", "8:16"])
    }
}

@Suite struct FakeKernelTests {
    /// A disk removed while a check is out: the check ends as on a vanished device.
    @Test func aDiskRemovedWithACheckOutEndsItsCheck() throws {
        let sim = try Simulation()
        sim.kernel.latency = .seconds(2)
        try sim.start()
        try sim.advance(by: .seconds(6))
        try sim.push([sim.kernel.removePath("sdb")])
        try sim.advance(by: .seconds(5))
        #expect(sim.kernel.maps["mpatha"]?.table.pathDevices == ["8:0"])
    }
}
