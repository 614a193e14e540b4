import Glibc
import MultipathCore
import MultipathDaemon
import MultipathSystem
import MultipathTestKit
import Testing

/// Whole stories through the real daemon over the fake kernel, deterministic, in simulated time.
@Suite struct StoryTests {
    /// Paths in two priority groups: sda 50, sdb and sdc 10 (prio weightedpath on the device name).
    static let twoGroups = "path_grouping_policy group_by_prio\nprio weightedpath\nprio_args \"devname sda 50 sd[bc] 10\"\n"

    @Test func startBuildsOneMapPerWWIDWithFriendlyNames() throws {
        let sim = try Simulation(paths: [("sda", "3600a"), ("sdb", "3600a"), ("sdc", "3600a"), ("sdd", "3600b")])
        try sim.start()
        #expect(sim.kernel.creates == 2 && sim.kernel.reloads == 0)
        #expect(
            sim.kernel.maps["mpatha"]?.table.description
                == "0 0 3 1 service-time 0 1 1 8:0 1 service-time 0 1 1 8:16 1 service-time 0 1 1 8:32 1")
        #expect(sim.kernel.maps["mpathb"]?.uuid == "mpath-3600b")
        #expect(sim.files.contents["/etc/multipath/bindings"]?.hasSuffix("mpatha 3600a\nmpathb 3600b\n") ?? false)
        #expect(sim.files.contents["/etc/multipath/wwids"] == WWIDsFile.header + "/3600a/\n/3600b/\n")
        #expect(sim.messages.isEmpty)
        #expect(sim.notified == ["STATUS=startup", "STATUS=configure", "READY=1\nSTATUS=up"])
    }

    @Test func showTopologyIsTakenFromTheModel() throws {
        let sim = try Simulation(paths: [("sda", "3600a"), ("sdb", "3600a"), ("sdc", "3600a")])
        try sim.start(Self.twoGroups)
        sim.kernel.paths["sdb"]!.behavior = .offline
        _ = try sim.advance(until: { sim.active("mpatha", "sdb") == false }, limit: .seconds(6))
        // Failed by its TUR (ENXIO); `dev_st` is the state the next probe reads in sysfs, as last seen.
        #expect(sim.daemon.engine.pathSnapshots(now: sim.clock.now).map(\.deviceState) == ["running", "running", "running"])
        try sim.advance(by: .milliseconds(200))
        let s = sim.daemon.engine.showSnapshot(dmMinors: ["mpatha": 3], now: sim.clock.now)
        #expect(s.paths.map(\.identity.name) == ["sda", "sdb", "sdc"])
        #expect(s.paths.map(\.dmActive) == [true, false, true])
        #expect(s.paths.map(\.deviceState) == ["running", "offline", "running"])
        let map = try #require(s.maps.first)
        #expect(map.name == "mpatha" && map.dmMinor == 3 && map.activePaths == 2)
        #expect(map.groups.map(\.selector) == ["service-time 0", "service-time 0"])
        #expect(map.groups.map(\.priority) == [50, 10])
        #expect(map.groups.map(\.state) == [.active, .enabled])
        #expect(map.groups.map { $0.paths.map(\.identity.name) } == [["sda"], ["sdb", "sdc"]])
        let topology = ShowFormat.topology(s.maps)
        #expect(topology.hasPrefix("create: mpatha (3600a) dm-3"), "created, not reloaded since (a failed path is no load)")
        #expect(topology.contains("policy='service-time 0' prio=50 status=active"))
    }

    @Test func groupByPrioOrdersGroupsBestFirst() throws {
        let sim = try Simulation(paths: [("sda", "3600a"), ("sdb", "3600a"), ("sdc", "3600a")])
        try sim.start(Self.twoGroups)
        #expect(sim.kernel.maps["mpatha"]?.table.description == "0 0 2 1 service-time 0 1 1 8:0 1 service-time 0 2 1 8:16 1 8:32 1")
    }

    @Test func healthyPathsAreCheckedEveryPollingInterval() throws {
        let sim = try Simulation()
        try sim.start()
        let before = sim.kernel.paths["sda"]!.commands
        try sim.advance(by: .seconds(50))
        #expect(sim.kernel.paths["sda"]!.commands - before == 10)
    }

    @Test func aPathFlaps100TimesAndIsReinstatedFastEachTime() throws {
        let sim = try Simulation()
        try sim.start()
        var reinstateTimes: [Duration] = []
        for _ in 0..<100 {
            sim.kernel.paths["sdb"]!.behavior = .offline
            let failed = try sim.advance(until: { sim.active("mpatha", "sdb") == false }, limit: .seconds(6))
            #expect(failed != nil)
            let back = sim.clock.now
            sim.kernel.paths["sdb"]!.behavior = .good
            let reinstated = try #require(try sim.advance(until: { sim.active("mpatha", "sdb") == true }, limit: .seconds(1)))
            reinstateTimes.append(reinstated - back)
        }
        #expect(sim.count("mpatha: fail_path 8:16") == 100 && sim.count("mpatha: reinstate_path 8:16") == 100)
        // Back just after it failed: the first re-probe, at the path's phase, is at most 17/16 of 100 ms away.
        #expect(reinstateTimes.max()! <= .milliseconds(108), "reinstated within one re-probe: \(reinstateTimes.max()!)")
        #expect(sim.kernel.reloads == 0 && sim.active("mpatha", "sda") == true)
    }

    @Test func allPathsDownWithNoPathRetry3QueuesExactlyFifteenSecondsThenResumes() throws {
        let sim = try Simulation()
        try sim.start("no_path_retry 3")
        #expect(sim.kernel.maps["mpatha"]!.queueing)
        for p in ["sda", "sdb"] { sim.kernel.paths[p]!.behavior = .offline }
        let lastFailed = try #require(
            try sim.advance(until: {
                sim.active("mpatha", "sda") == false && sim.active("mpatha", "sdb") == false
            }))
        try sim.advance(by: .seconds(15) - .milliseconds(1))
        #expect(sim.kernel.maps["mpatha"]!.queueing, "still queueing 1 ms before 3 x 5 s")
        try sim.advance(by: .milliseconds(1))
        #expect(!sim.kernel.maps["mpatha"]!.queueing)
        #expect(sim.kernel.messages.last.map { "\($0.message) \($0.at - lastFailed)" } == "fail_if_no_path 15.0 seconds")
        sim.kernel.paths["sda"]!.behavior = .good
        try sim.advance(by: .milliseconds(200))
        #expect(Array(sim.messages.suffix(2)) == ["mpatha: reinstate_path 8:0", "mpatha: queue_if_no_path"])
        #expect(sim.kernel.maps["mpatha"]!.queueing)
    }

    /// sda (priority 50, group 1) fails; the kernel moves to group 2; sda comes back.
    func failback(_ mode: String, after: Duration = .seconds(30), interlude: (Simulation) throws -> Void = { _ in }) throws -> (
        Simulation, Instant
    ) {
        let sim = try Simulation(paths: [("sda", "3600a"), ("sdb", "3600a"), ("sdc", "3600a")])
        try sim.start(Self.twoGroups + "failback \(mode)")
        sim.kernel.paths["sda"]!.behavior = .offline
        _ = try sim.advance(until: { sim.active("mpatha", "sda") == false })
        #expect(sim.kernel.maps["mpatha"]!.currentGroup == 2)
        sim.kernel.paths["sda"]!.behavior = .good
        let back = try #require(try sim.advance(until: { sim.active("mpatha", "sda") == true }))
        try interlude(sim)
        try sim.advance(by: after)
        return (sim, back)
    }

    func switches(_ sim: Simulation) -> [Instant] {
        sim.kernel.messages.filter { $0.message == .switchGroup(1) }.map(\.at)
    }

    @Test func failbackImmediateSwitchesWithTheReinstate() throws {
        let (sim, back) = try failback("immediate")
        #expect(switches(sim) == [back])
        #expect(sim.kernel.maps["mpatha"]!.currentGroup == 1)
        // switch_grp counts the daemon's switches: to group 2 when sda failed, back with the reinstate.
        let sent = sim.kernel.messages.filter { if case .switchGroup = $0.message { true } else { false } }.count
        #expect(sent == 2 && sim.daemon.engine.maps["3600a"]!.stats.switchGroups == sent)
    }

    @Test func failbackManualNeverSwitches() throws {
        let (sim, _) = try failback("manual")
        #expect(switches(sim).isEmpty && sim.kernel.maps["mpatha"]!.currentGroup == 2)
        #expect(sim.daemon.engine.maps["3600a"]!.stats.switchGroups == 0, "the kernel's own switch is not counted")
    }

    @Test func failbackFollowoverSwitchesWhenTheGroupsFirstPathReturns() throws {
        let (sim, back) = try failback("followover")
        #expect(switches(sim) == [back])
    }

    @Test func failbackDeferredSwitchesAfterTheDelay() throws {
        let (sim, back) = try failback("10")
        #expect(switches(sim) == [back + .seconds(10)])
    }

    @Test func deferredFailbackIsCancelledByAPathFailure() throws {
        let (sim, back) = try failback("10", after: .seconds(40)) { sim in
            try sim.advance(by: .seconds(2))
            sim.kernel.paths["sdc"]!.behavior = .offline
            _ = try sim.advance(until: { sim.active("mpatha", "sdc") == false })
        }
        let s = switches(sim)
        #expect(!s.isEmpty && s.allSatisfy { $0 > back + .seconds(10) }, "no switch at the cancelled deadline: \(s)")
        #expect(sim.log.lines.messages.contains("mpatha: deferred failback cancelled by a path failure"))
    }

    @Test func aHungPathTimesOutWhileHealthyPathsKeepTheirSchedule() throws {
        let sim = try Simulation(paths: [("sda", "3600a"), ("sdb", "3600a"), ("sdc", "3600a")])
        try sim.start("checker_timeout 5")
        let start = sim.clock.now
        let healthy = ["sda", "sdc"].map { sim.kernel.paths[$0]!.commands }
        sim.kernel.paths["sdb"]!.behavior = .hang
        let failed = try #require(try sim.advance(until: { sim.active("mpatha", "sdb") == false }, limit: .seconds(11)))
        #expect(failed - start <= .seconds(10), "failed one checker timeout after its next check")
        try sim.advance(by: .seconds(60) - (failed - start))
        #expect(zip(["sda", "sdc"], healthy).map { sim.kernel.paths[$0]!.commands - $1 } == [12, 12])
        // One probe in flight at a time: one command per checker timeout (plus the re-probe delay), not a flood.
        #expect(sim.kernel.paths["sdb"]!.outstanding <= 12)
        #expect(sim.active("mpatha", "sda") == true && sim.active("mpatha", "sdc") == true)
    }

    @Test func aThousandAddsForTwoHundredFiftyWWIDsMakeTwoHundredFiftyCreates() throws {
        let sim = try Simulation(paths: [])
        try sim.start()
        var events: [Uevent] = []
        for i in 0..<1000 { events.append(sim.kernel.addPath("sd" + Bindings.suffix(for: i + 1), wwid: "36000\(i % 250)")) }
        try sim.push(events)
        try sim.advance(by: .milliseconds(100))
        #expect(sim.kernel.creates == 250 && sim.kernel.reloads == 0)
        #expect(sim.kernel.maps.values.allSatisfy { $0.table.pathDevices.count == 4 })
    }

    @Test func restartAdoptsExistingMapsWithZeroReloads() throws {
        let sim = try Simulation(paths: [("sda", "3600a"), ("sdb", "3600a"), ("sdc", "3600b"), ("sdd", "3600b")])
        try sim.start(Self.twoGroups + "no_path_retry 3")
        let (creates, messages) = (sim.kernel.creates, sim.messages.count)
        let again = try sim.restarted()
        try again.start(Self.twoGroups + "no_path_retry 3")
        try again.advance(by: .seconds(20))
        #expect(sim.kernel.creates == creates && sim.kernel.reloads == 0 && again.messages.count == messages)
        #expect(again.daemon.engine.maps.count == 2)
    }

    /// The soak's kill -9 (lab 46): killed while sdc is down; while it is dead sdc comes back and sdb
    /// goes down. A path down at start gets no priority (0.9.4 asks none of a down path), yet group_by_prio
    /// must not put it in a group of its own: the map is adopted as it is, the states put right by messages.
    @Test func aRestartDuringAFaultAdoptsTheMapWithoutAReload() throws {
        let sim = try Simulation(paths: [("sda", "3600a"), ("sdb", "3600a"), ("sdc", "3600a")])
        try sim.start(Self.twoGroups + "no_path_retry 12")
        // sdb leaves and comes back: it is now after sdc in its group, not in the order a restart lists them.
        try sim.push([sim.kernel.removePath("sdb")])
        try sim.advance(by: .seconds(1))
        try sim.push([sim.kernel.addPath("sdb", wwid: "3600a")])
        try sim.advance(by: .seconds(6))
        sim.kernel.paths["sdc"]!.behavior = .offline
        #expect(try sim.advance(until: { sim.active("mpatha", "sdc") == false }, limit: .seconds(6)) != nil)
        let table = sim.kernel.maps["mpatha"]!.table.description
        let reloads = sim.kernel.reloads
        sim.kernel.paths["sdc"]!.behavior = .good
        sim.kernel.paths["sdb"]!.behavior = .offline
        let again = try sim.restarted()
        try again.start(Self.twoGroups + "no_path_retry 12")
        let right = try again.advance(
            until: { again.active("mpatha", "sdc") == true && again.active("mpatha", "sdb") == false }, limit: .seconds(5))
        #expect(right != nil)
        #expect(sim.kernel.reloads == reloads && sim.kernel.maps["mpatha"]!.table.description == table)
        #expect(table.hasSuffix("service-time 0 1 1 8:0 1 service-time 0 2 1 8:32 1 8:48 1"))
        try again.advance(by: .seconds(20))
        #expect(sim.kernel.reloads == reloads)
    }

    /// Killed while the best group's only path is down: that group has no usable path, so by priority
    /// it would now sort last; the groups are the same, only their order differs (0.9.4's pgcmp compares
    /// groups, not their order), so the map is adopted as it is and I/O stays on the next group.
    @Test func aRestartWithTheBestGroupDownAdoptsTheMapWithoutAReload() throws {
        let sim = try Simulation(paths: [("sda", "3600a"), ("sdb", "3600a"), ("sdc", "3600a")])
        try sim.start(Self.twoGroups + "no_path_retry 12\nfailback immediate")
        sim.kernel.paths["sda"]!.behavior = .offline
        #expect(try sim.advance(until: { sim.active("mpatha", "sda") == false }, limit: .seconds(6)) != nil)
        let table = sim.kernel.maps["mpatha"]!.table.description
        let again = try sim.restarted()
        try again.start(Self.twoGroups + "no_path_retry 12\nfailback immediate")
        try again.advance(by: .seconds(20))
        #expect(sim.kernel.reloads == 0 && sim.kernel.maps["mpatha"]!.table.description == table)
        #expect(sim.kernel.maps["mpatha"]!.currentGroup == 2 && again.active("mpatha", "sda") == false)
        // Back: failback to its group by switch_group, still no reload.
        sim.kernel.paths["sda"]!.behavior = .good
        try again.advance(by: .seconds(10))
        #expect(again.active("mpatha", "sda") == true && sim.kernel.maps["mpatha"]!.currentGroup == 1)
        #expect(sim.kernel.reloads == 0)
    }

    @Test func aPathTheKernelFailedIsProbedAtOnce() throws {
        let sim = try Simulation()
        try sim.start()
        let t = sim.clock.now
        sim.kernel.kernelFails("sdb")
        let back = try #require(try sim.advance(until: { sim.active("mpatha", "sdb") == true }, limit: .seconds(1)))
        #expect(back - t <= .milliseconds(2), "one TUR round trip, not a polling interval")
    }

    /// A failed arm or list does not stop DM events for good: the source backs off, tries again, and
    /// the kernel-failed path is probed then; later events come as before.
    @Test func dmEventsComeBackAfterTheirSourceFails() throws {
        let sim = try Simulation()
        try sim.start()
        sim.kernel.dmEventFailures = [Errno(rawValue: ENOMEM), Errno(rawValue: ENOMEM)]
        let t = sim.clock.now
        sim.kernel.kernelFails("sdb")
        let back = try #require(try sim.advance(until: { sim.active("mpatha", "sdb") == true }, limit: .seconds(2)))
        #expect(back - t >= .milliseconds(300) && back - t <= .milliseconds(310), "two backoffs (100 + 200 ms) and a TUR")
        #expect(sim.log.lines.messages.filter { $0.contains("dm events failed") && $0.contains("retrying in") }.count == 2)
        let u = sim.clock.now
        sim.kernel.kernelFails("sda")
        let again = try #require(try sim.advance(until: { sim.active("mpatha", "sda") == true }, limit: .seconds(1)))
        #expect(again - u <= .milliseconds(2))
    }

    @Test func removedPathsLeaveTheMapAndTheLastTakesIt() throws {
        let sim = try Simulation()
        try sim.start()
        try sim.push([sim.kernel.removePath("sda")])
        #expect(sim.kernel.reloads == 1 && sim.kernel.maps["mpatha"]?.table.pathDevices == ["8:16"])
        try sim.push([sim.kernel.removePath("sdb")])
        #expect(sim.kernel.maps["mpatha"] == nil && sim.kernel.removes == 1)
    }

    @Test func aRemoveLaterInTheBurstCancelsTheAdd() throws {
        let sim = try Simulation(paths: [])
        try sim.start()
        let add = sim.kernel.addPath("sda", wwid: "3600a")
        try sim.push([add, sim.kernel.removePath("sda")])
        try sim.advance(by: .milliseconds(100))
        #expect(sim.kernel.creates == 0)
    }

    @Test func aMessageToASuspendedMapIsRetried() throws {
        let sim = try Simulation()
        try sim.start()
        sim.kernel.busyMaps = ["mpatha"]
        sim.kernel.paths["sdb"]!.behavior = .offline
        try sim.advance(by: .seconds(5))
        #expect(sim.active("mpatha", "sdb") == true, "refused while suspended")
        sim.kernel.busyMaps = []
        try sim.advance(by: .milliseconds(100))
        #expect(sim.active("mpatha", "sdb") == false)
    }

    /// Not an overflow: the monitor's socket is broken. The burst already read is acted on, then the
    /// loop stops with the source's error, for the process to exit non-zero and systemd to restart it.
    @Test func aBrokenUdevMonitorStopsTheDaemonLoudly() throws {
        let sim = try Simulation(paths: [])
        try sim.start()
        sim.udev.push(sim.kernel.addPath("sda", wwid: "3600a"))
        sim.udev.pushFailure(SystemError("udev_monitor_receive_device", Errno(rawValue: EIO)))
        #expect {
            try sim.daemon.run()
        } throws: { error in
            "\(error)" == "udev monitor failed: udev_monitor_receive_device: Input/output error; the loop stopped"
        }
        #expect(sim.log.lines.messages.contains { $0.contains("handler udev monitor failed") && $0.contains("stopping the loop") })
        #expect(sim.daemon.engine.paths.count + sim.daemon.engine.orphans.count == 1)
    }

    @Test func ueventsAreQuietBelowVerbosity3AndLostOnesAreLogged() throws {
        let sim = try Simulation(paths: [])
        try sim.start()
        sim.udev.pushFailure(SystemError("udev_monitor_receive_device", Errno(rawValue: ENOBUFS)))
        try sim.push([sim.kernel.addPath("sda", wwid: "3600a")])
        try sim.advance(by: .milliseconds(10))
        #expect(sim.log.lines.messages.contains("uevent lost: udev_monitor_receive_device: No buffer space available"))
        #expect(sim.kernel.creates == 1 && sim.reactor.stats.handlerFailures == 0)
    }
}

@Suite struct SignalStoryTests {
    @Test func sighupIsAnsweredAndSigusr1ReopensTheLog() throws {
        let sim = try Simulation(paths: [])
        try sim.start()
        raise(SIGHUP)
        raise(SIGUSR1)
        try sim.advance(by: .milliseconds(1))
        #expect(sim.log.lines.messages.contains("SIGHUP: reconfigure"))
        #expect(sim.log.lines.messages.last == "SIGUSR1: log reopened")
    }

    /// The counters and latencies of `show maps stats` and `show stats json`, through the reactor's
    /// instants: a check's latency is the fake kernel's answer time; sdb's failure is a failover at once
    /// (sda stays usable); both down, the failover lasts until sda's first good check.
    @Test func statsFollowTheStory() throws {
        let sim = try Simulation()
        try sim.start()
        sim.kernel.paths["sdb"]!.behavior = .offline
        _ = try sim.advance(until: { sim.active("mpatha", "sdb") == false })
        var stats = sim.daemon.engine.maps["3600a"]!.stats
        #expect(stats.pathFaults == 1 && stats.mapLoads == 1 && stats.failover.count == 1)
        #expect(stats.failover.last == sim.kernel.latency)
        sim.kernel.paths["sda"]!.behavior = .offline
        let bothDown = try #require(try sim.advance(until: { sim.active("mpatha", "sda") == false }))
        try sim.advance(by: .seconds(2))
        sim.kernel.paths["sda"]!.behavior = .good
        let back = try #require(try sim.advance(until: { sim.active("mpatha", "sda") == true }))
        stats = sim.daemon.engine.maps["3600a"]!.stats
        #expect(stats.pathFaults == 2 && stats.mapFailures == 1 && stats.failover.count == 2 && stats.reinstate.count == 1)
        // From the issue of sda's failing check to the good verdict that reinstated it.
        #expect(stats.failover.last == back - bothDown + sim.kernel.latency)
        #expect(stats.reinstate.last == sim.kernel.latency)
        let sda = sim.daemon.engine.paths[sim.devT("sda")]!.health
        #expect(sda.failures == 1 && sda.checkLatency.max == sim.kernel.latency)
    }
}

/// A map's last path leaves while the map is open, or not, and comes back.
@Suite struct LastPathStoryTests {
    @Test(arguments: [true, false])
    func aReturningPathReloadsAKeptMapOrCreatesARemovedOne(open: Bool) throws {
        let sim = try Simulation()
        try sim.start()
        sim.kernel.setOpen("mpatha", open)
        try sim.push([sim.kernel.removePath("sda")])
        try sim.push([sim.kernel.removePath("sdb")])
        #expect(sim.kernel.removes == (open ? 0 : 1))
        #expect(sim.kernel.maps["mpatha"]?.table.pathDevices == (open ? [] : nil), "kept with no paths while open")
        #expect((sim.daemon.engine.map(named: "mpatha") != nil) == open)
        let reloads = sim.kernel.reloads
        try sim.push([sim.kernel.addPath("sdc", wwid: "3600a")])
        try sim.advance(by: .milliseconds(100))
        #expect(sim.kernel.creates == (open ? 1 : 2) && sim.kernel.reloads == reloads + (open ? 1 : 0))
        #expect(sim.kernel.maps["mpatha"]?.table.pathDevices == ["\(sim.devT("sdc"))"])
        #expect(!sim.log.lines.messages.contains { $0.contains("failed") })
        #expect(sim.active("mpatha", "sdc") == true)
    }

    @Test func anAdoptedMapWithNoPathsTakesItsReturningPathByReload() throws {
        let sim = try Simulation()
        try sim.start()
        sim.kernel.setOpen("mpatha", true)
        try sim.push([sim.kernel.removePath("sda")])
        try sim.push([sim.kernel.removePath("sdb")])
        let again = try sim.restarted()
        try again.start()
        #expect(again.daemon.engine.map(named: "mpatha")?.members == [])
        let reloads = sim.kernel.reloads
        try again.push([sim.kernel.addPath("sdc", wwid: "3600a")])
        try again.advance(by: .milliseconds(100))
        #expect(sim.kernel.creates == 1 && sim.kernel.reloads == reloads + 1)
        #expect(sim.kernel.maps["mpatha"]?.table.pathDevices == ["\(sim.devT("sdc"))"])
        #expect(again.active("mpatha", "sdc") == true)
    }
}

/// `reconfigure` (SIGHUP or the command): only what the new configuration changes is touched.
@Suite struct ReconfigureStoryTests {
    static let paths = [("sda", "3600a"), ("sdb", "3600a"), ("sdc", "3600b"), ("sdd", "3600b")]

    func dmOperations(_ sim: Simulation) -> [Int] {
        [sim.kernel.creates, sim.kernel.reloads, sim.kernel.removes, sim.kernel.renames, sim.messages.count]
    }

    @Test func anUnchangedConfigurationTouchesNothing() throws {
        let sim = try Simulation(paths: Self.paths)
        try sim.start(StoryTests.twoGroups)
        let before = dmOperations(sim)
        try sim.reconfigure(StoryTests.twoGroups)
        try sim.advance(by: .seconds(10))
        #expect(dmOperations(sim) == before)
        #expect(sim.notified.suffix(2) == ["RELOADING=1\nSTATUS=configure", "READY=1\nSTATUS=up"])
    }

    @Test func aNewGroupingPolicyReloadsThatMapOnly() throws {
        let sim = try Simulation(paths: Self.paths)
        try sim.start()
        let mpathb = sim.kernel.maps["mpathb"]!.table
        try sim.reconfigure(sections: "multipaths {\nmultipath {\nwwid 3600a\npath_grouping_policy multibus\n}\n}\n")
        #expect(sim.kernel.reloads == 1 && sim.kernel.renames == 0)
        #expect(sim.kernel.maps["mpatha"]?.table.description == "0 0 1 1 service-time 0 2 1 8:0 1 8:16 1")
        #expect(sim.kernel.maps["mpathb"]?.table == mpathb)
    }

    @Test func aNewAliasRenamesTheMap() throws {
        let sim = try Simulation(paths: Self.paths)
        try sim.start()
        try sim.reconfigure(sections: "multipaths {\nmultipath {\nwwid 3600a\nalias data\n}\n}\n")
        #expect(sim.kernel.renames == 1 && sim.kernel.reloads == 0)
        #expect(sim.kernel.maps["mpatha"] == nil && sim.kernel.maps["data"] != nil && sim.kernel.maps["mpathb"] != nil)
        sim.kernel.paths["sdb"]!.behavior = .offline
        _ = try sim.advance(until: { sim.active("data", "sdb") == false }, limit: .seconds(6))
        #expect(sim.messages == ["data: fail_path 8:16"])
    }

    @Test func aPathNowBlacklistedLeavesItsMap() throws {
        let sim = try Simulation(paths: Self.paths)
        try sim.start()
        try sim.reconfigure(sections: "blacklist {\ndevnode \"^sdb$\"\n}\n")
        #expect(sim.kernel.reloads == 1 && sim.kernel.maps["mpatha"]?.table.pathDevices == ["8:0"])
        #expect(sim.daemon.engine.orphans[sim.devT("sdb")]?.reason.description.hasPrefix("blacklisted by devnode") ?? false)
        try sim.reconfigure()
        #expect(sim.kernel.reloads == 2 && sim.kernel.maps["mpatha"]?.table.pathDevices == ["8:0", "8:16"], "back once unlisted")
    }

    @Test func aNewPollingIntervalReschedulesTheChecks() throws {
        let sim = try Simulation(paths: Self.paths)
        try sim.start()
        try sim.advance(by: .seconds(1))
        let before = sim.kernel.paths["sda"]!.commands
        try sim.reconfigure("polling_interval 2")
        try sim.advance(by: .seconds(10))
        #expect(sim.kernel.paths["sda"]!.commands - before == 5)
    }
}

extension ReconfigureStoryTests {
    @Test func anAliasAnotherMapHasIsNotTaken() throws {
        let sim = try Simulation(paths: Self.paths)
        try sim.start()
        try sim.reconfigure(sections: "multipaths {\nmultipath {\nwwid 3600a\nalias mpathb\n}\n}\n")
        #expect(sim.kernel.renames == 0 && sim.kernel.maps.keys.sorted() == ["mpatha", "mpathb"])
        #expect(sim.log.lines.messages.contains("mpatha: not renamed to mpathb: another map has that name"))
        #expect(sim.daemon.engine.map(named: "mpathb")?.wwid == "3600b")
    }
}
