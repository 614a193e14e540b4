import Glibc
import MultipathCore
import MultipathDaemon
import MultipathTestKit
import Testing

/// The commands that change maps and paths, through the control socket of the real daemon over the
/// fake kernel: the DM messages and operations they cause, and the replies.
@Suite struct ControlCommandTests {
    static let twoGroups = StoryTests.twoGroups

    func started(_ config: String = "", paths: [(String, String)] = [("sda", "3600a"), ("sdb", "3600a")]) throws -> Simulation {
        let sim = try Simulation(paths: paths)
        try sim.start(config, control: true)
        return sim
    }

    @Test(arguments: [
        "fail path sdz", "reinstate path sdz", "setmarginal path sdz", "unsetmarginal path sdz", "del path sdz",
        "add path sdz", "switch map nosuch group 1", "suspend map nosuch", "resume map nosuch", "resize map nosuch",
        "reload map nosuch", "reset map nosuch", "disablequeueing map nosuch", "restorequeueing map nosuch",
        "del map nosuch", "add map nosuch", "unsetmarginal map nosuch", "getprstatus map nosuch",
        "setprstatus map nosuch", "unsetprstatus map nosuch", "getprkey map nosuch", "setprkey map nosuch key 0x1",
        "unsetprkey map nosuch"
    ])
    func unknownMapsAndPathsFail(_ command: String) throws {
        let sim = try started()
        #expect(try sim.ask(command) == "fail\n")
        #expect(sim.messages.isEmpty && sim.kernel.reloads == 0 && sim.kernel.removes == 0)
    }

    @Test func failPathHoldsThePathFailedUntilReinstated() throws {
        let sim = try started()
        #expect(try sim.ask("fail path sdb") == "ok\n")
        #expect(sim.messages == ["mpatha: fail_path 8:16"])
        let checks = sim.kernel.paths["sdb"]!.commands
        try sim.advance(by: .seconds(30))
        #expect(sim.active("mpatha", "sdb") == false && sim.kernel.paths["sdb"]!.commands == checks, "no check reinstates it")
        #expect(sim.daemon.engine.paths[sim.devT("sdb")]!.health.state == .down)
        // By dev_t too; the path is checked again at once.
        #expect(try sim.ask("reinstate path 8:16") == "ok\n")
        #expect(sim.messages.last == "mpatha: reinstate_path 8:16" && sim.active("mpatha", "sdb") == true)
        try sim.advance(by: .milliseconds(10))
        #expect(sim.daemon.engine.paths[sim.devT("sdb")]!.health.state == .up && sim.kernel.paths["sdb"]!.commands == checks + 1)
    }

    @Test func aCheckInFlightWhenThePathIsFailedDoesNotReinstateIt() throws {
        let sim = try started()
        sim.kernel.latency = .seconds(2)
        try sim.advance(by: .seconds(5))
        #expect(sim.kernel.paths["sdb"]!.commands == 2, "a check is out")
        #expect(try sim.ask("fail path sdb") == "ok\n")
        try sim.advance(by: .seconds(3))
        #expect(sim.messages == ["mpatha: fail_path 8:16"] && sim.active("mpatha", "sdb") == false)
    }

    @Test func reinstatingAPathThatIsStillDownFailsItAgainAtTheCheck() throws {
        let sim = try started()
        #expect(try sim.ask("fail path sdb") == "ok\n")
        sim.kernel.paths["sdb"]!.behavior = .offline
        #expect(try sim.ask("reinstate path sdb") == "ok\n")
        try sim.advance(by: .milliseconds(10))
        #expect(sim.messages == ["mpatha: fail_path 8:16", "mpatha: reinstate_path 8:16", "mpatha: fail_path 8:16"])
    }

    @Test func aPathInNoMapCannotBeFailed() throws {
        let sim = try started("}\nblacklist {\ndevnode \"^sdc$\"", paths: [("sda", "3600a"), ("sdc", "3600b")])
        #expect(try sim.ask("fail path sdc") == "fail\n")
        #expect(sim.log.lines.messages.contains("control: sdc is in no map"))
    }

    @Test func switchGroupWithManualFailbackStays() throws {
        let sim = try started(Self.twoGroups + "failback manual\n", paths: [("sda", "3600a"), ("sdb", "3600a")])
        #expect(try sim.ask("switch map mpatha group 2") == "ok\n")
        #expect(sim.messages == ["mpatha: switch_group 2"] && sim.kernel.maps["mpatha"]!.currentGroup == 2)
        try sim.advance(by: .seconds(20))
        #expect(sim.kernel.maps["mpatha"]!.currentGroup == 2)
        #expect(try sim.ask("switch map mpatha group 3") == "fail\n")
        #expect(try sim.ask("switch map mpatha group x") == "fail\n")
        #expect(sim.messages.count == 1)
    }

    @Test func switchGroupWithImmediateFailbackIsUndoneAtTheNextCheck() throws {
        let sim = try started(Self.twoGroups + "failback immediate\n", paths: [("sda", "3600a"), ("sdb", "3600a")])
        #expect(try sim.ask("switch map dm-1 group 2") == "ok\n")
        try sim.advance(by: .seconds(6))
        #expect(sim.messages == ["mpatha: switch_group 2", "mpatha: switch_group 1"])
    }

    @Test func disableQueueingHoldsAcrossPathReturnsAndReloadsUntilRestored() throws {
        let sim = try started("no_path_retry queue\n")
        #expect(try sim.ask("disablequeueing map mpatha") == "ok\n")
        #expect(sim.messages == ["mpatha: fail_if_no_path"] && sim.kernel.maps["mpatha"]!.queueing == false)
        sim.kernel.paths["sda"]!.behavior = .offline
        try sim.advance(by: .seconds(6))
        sim.kernel.paths["sda"]!.behavior = .good
        try sim.advance(by: .seconds(6))
        #expect(sim.count("mpatha: queue_if_no_path") == 0)
        #expect(try sim.ask("reload map mpatha") == "ok\n")
        #expect(!sim.kernel.maps["mpatha"]!.table.features.contains("queue_if_no_path") && sim.kernel.reloads == 1)
        #expect(try sim.ask("restorequeueing map mpatha") == "ok\n")
        #expect(sim.messages.last == "mpatha: queue_if_no_path" && sim.kernel.maps["mpatha"]!.queueing)
        // Restoring what is not disabled changes nothing.
        #expect(try sim.ask("restorequeueing map mpatha") == "ok\n")
        #expect(sim.count("mpatha: queue_if_no_path") == 1)
    }

    @Test func disableAndRestoreQueueingOfEveryMap() throws {
        let sim = try started("no_path_retry 3\n", paths: [("sda", "3600a"), ("sdb", "3600b")])
        #expect(try sim.ask("disablequeueing maps") == "ok\n")
        #expect(Set(sim.messages) == ["mpatha: fail_if_no_path", "mpathb: fail_if_no_path"])
        #expect(try sim.ask("restorequeueing maps") == "ok\n")
        #expect(sim.count("mpatha: queue_if_no_path") == 1 && sim.count("mpathb: queue_if_no_path") == 1)
    }

    @Test(arguments: [(["forcequeueing daemon"], false), (["forcequeueing daemon", "restorequeueing daemon"], true)])
    func forceQueueingDaemonKeepsQueueingAtShutdown(commands: [String], turnsOff: Bool) throws {
        let sim = try started("no_path_retry queue\n")
        for c in commands { #expect(try sim.ask(c) == "ok\n") }
        #expect(try sim.ask("shutdown") == "ok\n")
        try sim.daemon.run()
        #expect(sim.messages == (turnsOff ? ["mpatha: fail_if_no_path"] : []))
    }

    @Test func suspendHoldsMessagesUntilResume() throws {
        let sim = try started()
        #expect(try sim.ask("suspend map mpatha") == "ok\n")
        #expect(sim.kernel.suspended == ["mpatha"])
        sim.kernel.paths["sdb"]!.behavior = .offline
        try sim.advance(by: .seconds(6))
        #expect(sim.active("mpatha", "sdb") == true, "refused while suspended")
        #expect(try sim.ask("resume map mpatha") == "ok\n")
        try sim.advance(by: .milliseconds(200))
        #expect(sim.kernel.suspended.isEmpty && sim.active("mpatha", "sdb") == false)
    }

    /// `%t` follows the kernel as the daemon left it: suspended by `suspend map` until `resume map` or a
    /// reload (which resumes), and a map found suspended at start shows so.
    @Test func showMapsTellsASuspendedMap() throws {
        let sim = try started()
        #expect(try sim.ask("show maps format \"%n %t\"") == "name   dm-st \nmpatha active\n")
        #expect(try sim.ask("suspend map mpatha") == "ok\n")
        #expect(try sim.ask("show maps format \"%n %t\"") == "name   dm-st  \nmpatha suspend\n")
        #expect(try sim.ask("resume map mpatha") == "ok\n")
        #expect(try sim.ask("show maps format \"%n %t\"") == "name   dm-st \nmpatha active\n")
        #expect(try sim.ask("suspend map mpatha") == "ok\n")
        #expect(try sim.ask("reload map mpatha") == "ok\n")
        #expect(try sim.ask("show maps format \"%n %t\"") == "name   dm-st \nmpatha active\n")
        #expect(try sim.ask("suspend map mpatha") == "ok\n")
        let again = try sim.restarted()
        try again.start(control: true)
        #expect(try again.ask("show maps format \"%n %t\"") == "name   dm-st  \nmpatha suspend\n")
    }

    @Test func resizeTakesTheSizeAllPathsAgreeOn() throws {
        let sim = try started()
        #expect(try sim.ask("resize map mpatha") == "ok\n", "same size: nothing to do")
        #expect(sim.kernel.reloads == 0)
        sim.kernel.paths["sda"]!.sizeSectors = 65536
        #expect(try sim.ask("resize map mpatha") == "fail\n", "the paths disagree")
        sim.kernel.paths["sdb"]!.sizeSectors = 65536
        #expect(try sim.ask("resize map mpatha") == "ok\n")
        #expect(sim.kernel.maps["mpatha"]!.sizeSectors == 65536 && sim.kernel.reloads == 1)
    }

    @Test func reloadLoadsTheTableEvenWhenUnchanged() throws {
        let sim = try started()
        let table = sim.kernel.maps["mpatha"]!.table
        #expect(try sim.ask("reload map mpatha") == "ok\n")
        #expect(sim.kernel.reloads == 1 && sim.kernel.maps["mpatha"]!.table == table)
    }

    @Test func reconfigureAllReloadsEveryMap() throws {
        let sim = try Simulation(paths: [("sda", "3600a"), ("sdb", "3600b")])
        try sim.start(control: true)
        #expect(try sim.ask("reconfigure") == "ok\n")
        #expect(sim.kernel.reloads == 0)
        #expect(try sim.ask("reconfigure all") == "ok\n")
        #expect(sim.kernel.reloads == 2)
    }

    @Test func resetMapMovesNothingAndRefusesHeldPartitions() throws {
        let sim = try started()
        #expect(try sim.ask("reset map mpatha") == "ok\n")
        sim.kernel.partitionHolders = ["sda1": ["dm-9"]]
        #expect(try sim.ask("reset map mpatha") == "fail\n")
        #expect(
            sim.log.lines.messages.contains(
                "control: mpatha: sda1 is held by dm-9; moving partition holders onto the map is not supported"))
    }

    /// 0.9.4 counts an operator's fail as a fault: the map's path_faults (%0) and the path's failures (the
    /// kernel's count), once however often it is repeated.
    @Test func failPathCountsAsAFault() throws {
        let sim = try started()
        #expect(try sim.ask("fail path sdb") == "ok\n")
        #expect(try sim.ask("fail path sdb") == "ok\n")
        #expect(try sim.ask("show map mpatha raw format %0") == "1          \n", "padded to its header, path_faults")
        #expect(try sim.ask("show paths raw format \"%d %0\"") == "sda 0\nsdb 1\n")
        // A path's count is the kernel's, in the table: a reload starts it again; the map's stays.
        #expect(try sim.ask("reload map mpatha") == "ok\n")
        #expect(try sim.ask("show paths raw format \"%d %0\"") == "sda 0\nsdb 0\n")
        #expect(try sim.ask("show maps raw format %0") == "1\n")
    }

    /// 0.9.4 lists paths in the order it discovered them (enumeration, then adds appended), and a map's
    /// table takes them in that order; a path removed and added again comes last.
    @Test func pathsAreListedAndTabledInDiscoveryOrder() throws {
        // The fake kernel numbers devices as they are made (sdd 8:0, sdb 8:16) and enumerates by name.
        let sim = try started("path_grouping_policy multibus", paths: [("sdd", "3600a"), ("sdb", "3600a")])
        try sim.push([sim.kernel.addPath("sda", wwid: "3600a")])
        try sim.push([sim.kernel.addPath("sdc", wwid: "3600a")])
        try sim.advance(by: .seconds(2))
        #expect(try sim.ask("show paths raw format %d") == "sdb\nsdd\nsda\nsdc\n")
        #expect(sim.kernel.maps["mpatha"]!.table.pathDevices == ["8:16", "8:0", "8:32", "8:48"])
        #expect(try sim.ask("del path sdb") == "ok\n" && (try sim.ask("add path sdb")) == "ok\n")
        try sim.advance(by: .seconds(2))
        #expect(try sim.ask("show paths raw format %d") == "sdd\nsda\nsdc\nsdb\n")
        #expect(sim.kernel.maps["mpatha"]!.table.pathDevices == ["8:0", "8:32", "8:48", "8:16"])
    }

    /// 0.9.4 keeps a created map's action, `create`, until its next table load: `%A` and the topology's title.
    @Test func aCreatedMapShowsCreateUntilItsNextLoad() throws {
        let sim = try started()
        #expect(try sim.ask("show maps raw format \"%n %A\"") == "mpatha create\n")
        #expect(try sim.ask("show topology").hasPrefix("create: mpatha (3600a) dm-"))
        #expect(try sim.ask("reload map mpatha") == "ok\n")
        #expect(try sim.ask("show maps raw format \"%n %A\"") == "mpatha \n")
        #expect(try sim.ask("show topology").hasPrefix("mpatha (3600a) dm-"))
        // A reconfigure builds 0.9.4's maps afresh: an unchanged one shows no action either.
        let again = try started()
        try again.reconfigure()
        #expect(again.kernel.reloads == 0)
        #expect(try again.ask("show maps raw format \"%n %A\"") == "mpatha \n")
    }

    /// `show path` prints the device state; 0.9.4 strips `/dev/` and finds the path by name only.
    @Test func showPathByNameOnly() throws {
        let sim = try started()
        #expect(try sim.ask("show path /dev/sdb") == "running\n")
        #expect(try sim.ask("show path sdb") == "running\n")
        #expect(try sim.ask("show path 8:16") == "fail\n")
    }

    @Test func delPathAndAddPathAsUeventsWould() throws {
        let sim = try started()
        #expect(try sim.ask("del path sdb") == "ok\n")
        #expect(sim.kernel.maps["mpatha"]!.table.pathDevices == ["8:0"])
        #expect(sim.daemon.engine.resolvePath("sdb") == nil)
        #expect(try sim.ask("add path sdb") == "ok\n")
        try sim.advance(by: .milliseconds(10))
        #expect(sim.kernel.maps["mpatha"]!.table.pathDevices == ["8:0", "8:16"] && sim.kernel.reloads == 2)
        #expect(try sim.ask("add path sdb") == "ok\n", "already there")
        #expect(sim.kernel.reloads == 2)
    }

    @Test func addPathOfABlacklistedDeviceSaysSo() throws {
        let sim = try started("}\nblacklist {\ndevnode \"^sdc$\"", paths: [("sda", "3600a"), ("sdc", "3600b")])
        #expect(try sim.ask("add path sdc") == "blacklisted\n")
        #expect(sim.kernel.maps["mpathb"] == nil)
    }

    /// 0.9.4 judges the name against the devnode blacklist (built in: only sd, dasd and nvme names) first.
    @Test(arguments: ["ram0", "nosuchdev", "/dev/loop0"])
    func addPathOfANameTheDevnodeBlacklistRefuses(_ name: String) throws {
        let sim = try started()
        #expect(try sim.ask("add path \(name)") == "blacklisted\n")
        #expect(sim.kernel.reloads == 0 && sim.kernel.creates == 1)
    }

    @Test func delMapFlushesAndAddMapBuildsItAgain() throws {
        let sim = try started()
        #expect(try sim.ask("del map mpatha") == "ok\n")
        #expect(sim.kernel.maps.isEmpty && sim.daemon.engine.maps.isEmpty)
        try sim.advance(by: .seconds(20))
        #expect(sim.kernel.creates == 1, "a flushed map stays flushed")
        #expect(try sim.ask("add map mpatha") == "ok\n", "by its bound alias")
        #expect(sim.kernel.maps["mpatha"]?.table.pathDevices == ["8:0", "8:16"] && sim.kernel.creates == 2)
        #expect(try sim.ask("del map dm-2") == "ok\n")
        #expect(try sim.ask("add map 3600a") == "ok\n", "by WWID")
        #expect(try sim.ask("add map mpatha") == "ok\n", "already there")
        #expect(sim.kernel.creates == 3)
    }

    @Test func delMapsFailsForAnOpenMapAndRemovesTheOthers() throws {
        let sim = try started(paths: [("sda", "3600a"), ("sdb", "3600b")])
        sim.kernel.setOpen("mpatha", true)
        try sim.send("del map mpatha")
        try sim.advance(by: .seconds(3))
        try sim.send("del maps")
        try sim.advance(by: .seconds(3))
        #expect(try sim.replies() == "fail\nfail\n")
        #expect(Array(sim.kernel.maps.keys) == ["mpatha"] && sim.daemon.engine.maps.count == 1)
    }

    @Test func marginalPathsGetTheirOwnGroupUnderMarginalPathgroups() throws {
        let sim = try started("marginal_pathgroups on\n")
        #expect(sim.kernel.maps["mpatha"]!.table.groups.count == 2, "failover")
        #expect(try sim.ask("setmarginal path sda") == "ok\n")
        #expect(sim.kernel.maps["mpatha"]!.table.groups.map(\.paths).map { $0.map(\.device) } == [["8:16"], ["8:0"]])
        let s = sim.daemon.engine.showSnapshot(dmMinors: [:], now: sim.clock.now)
        #expect(s.paths.map(\.marginal) == [true, false] && s.maps[0].groups.map(\.marginal) == [false, true])
        #expect(try sim.ask("unsetmarginal map mpatha") == "ok\n")
        #expect(sim.kernel.maps["mpatha"]!.table.groups.map(\.paths).map { $0.map(\.device) } == [["8:0"], ["8:16"]])
        #expect(sim.kernel.reloads == 2)
    }

    @Test func marginalWithoutMarginalPathgroupsOnlyShows() throws {
        let sim = try started("path_grouping_policy multibus\n")
        #expect(try sim.ask("setmarginal path sdb") == "ok\n")
        #expect(sim.kernel.maps["mpatha"]!.table.groups.count == 1)
        let s = sim.daemon.engine.showSnapshot(dmMinors: [:], now: sim.clock.now)
        #expect(s.paths.map(\.marginal) == [false, true] && s.maps[0].groups.map(\.marginal) == [false])
        #expect(try sim.ask("unsetmarginal path sdb") == "ok\n")
        #expect(
            sim.daemon.engine.showSnapshot(dmMinors: [:], now: sim.clock.now).paths.map(\.marginal) == [false, false])
    }

    @Test func prStatusIsAFlagPerMap() throws {
        let sim = try started()
        #expect(try sim.ask("getprstatus map mpatha") == "0")
        #expect(try sim.ask("setprstatus map mpatha") == "ok\n")
        #expect(try sim.ask("getprstatus map mpatha") == "1")
        #expect(try sim.ask("unsetprstatus map mpatha") == "ok\n")
        #expect(try sim.ask("getprstatus map mpatha") == "0")
    }

    @Test func prKeysGoThroughTheFileWhenTheMapSaysFile() throws {
        let sim = try started("reservation_key file\n")
        let file = "/etc/multipath/prkeys"
        #expect(try sim.ask("getprkey map mpatha") == "none\n")
        #expect(try sim.ask("setprkey map mpatha key 0x123abc") == "ok\n")
        #expect(try sim.ask("getprkey map mpatha") == "0x123abc\n")
        #expect(sim.files.contents[file] == PRKeysFile.header + "0x0000000000123abc 3600a\n")
        #expect(try sim.ask("setprkey map mpatha key 5:aptpl") == "ok\n")
        #expect(try sim.ask("getprkey map mpatha") == "0x5:aptpl\n")
        #expect(try sim.ask("unsetprkey map mpatha") == "ok\n")
        #expect(try sim.ask("getprkey map mpatha") == "none\n")
        #expect(sim.files.contents[file] == PRKeysFile.header + "#X0000000000000005 3600a\n")
        #expect(try sim.ask("setprkey map mpatha key xyz") == "fail\n")
    }

    /// What libmpathpersist's update_prkey_flags sends after a REGISTER: the key in hex without `0x`.
    @Test func prKeysAsMpathpersistSendsThem() throws {
        let sim = try started("reservation_key file\n")
        #expect(try sim.ask("setprkey map mpatha key 123abc:aptpl") == "ok\n")
        #expect(sim.files.contents["/etc/multipath/prkeys"] == PRKeysFile.header + "0X0000000000123abc 3600a\n")
        #expect(try sim.ask("getprkey map mpatha") == "0x123abc:aptpl\n")
        // 0.9.4's parse_prkey takes the leading 0 for the one of `0x`: "0" is no key, "0x0" unsets.
        #expect(try sim.ask("setprkey map mpatha key 0") == "fail\n")
        #expect(try sim.ask("setprkey map mpatha key 0x0") == "ok\n")
        #expect(try sim.ask("getprkey map mpatha") == "none\n")
    }

    @Test func setPRKeyWithoutReservationKeyFileWritesTheFileButFails() throws {
        let sim = try started()
        #expect(try sim.ask("setprkey map mpatha key 0x10") == "fail\n")
        #expect(sim.files.contents["/etc/multipath/prkeys"] == PRKeysFile.header + "0x0000000000000010 3600a\n")
        #expect(try sim.ask("getprkey map mpatha") == "none\n")
        #expect(try sim.ask("unsetprkey map mpatha") == "ok\n")
    }
}
