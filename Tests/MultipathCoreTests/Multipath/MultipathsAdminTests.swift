import Testing

@testable import MultipathCore

/// The operator's commands in the core alone: values and instants in, actions out.
@Suite struct MultipathsAdminTests {
    typealias T = MultipathsTests
    static let sdb = DevT(major: 8, minor: 16), sdc = DevT(major: 8, minor: 32)

    @Test func mapsAndPathsAreFoundByEveryName() {
        let e = T.twoPathMap("find_multipaths no")
        var dm = DMEventTracker()
        _ = dm.update([DMDevice(name: "3600a", devT: DevT(major: 254, minor: 4), eventNumber: 0)])
        #expect(e.resolveMap("3600a", dm: DMEventTracker())?.wwid == "3600a")
        #expect(e.resolveMap("dm-4", dm: dm)?.wwid == "3600a")
        #expect(e.resolveMap("dm-5", dm: dm) == nil)
        #expect(e.resolvePath("sdb")?.devT == Self.sdb && e.resolvePath("8:32")?.devT == Self.sdc && e.resolvePath("8:48") == nil)
        // As 0.9.4's convert_dev: a /dev/ prefix names the same device.
        #expect(e.resolveMap("/dev/dm-4", dm: dm)?.wwid == "3600a" && e.resolvePath("/dev/sdb")?.devT == Self.sdb)
    }

    @Test func anOperatorFailedPathIsNotCheckedUntilReinstated() throws {
        var e = T.twoPathMap("find_multipaths no")
        let t1 = T.t0 + .seconds(1)
        #expect(T.significant(try e.failPathByOperator(Self.sdb, now: t1)) == ["3600a: fail_path 8:16"])
        #expect(T.significant(e.checkDue(Self.sdb, now: t1 + .seconds(5))) == [])
        #expect(e.paths[Self.sdb]!.health.state == .down)
        #expect(
            T.significant(try e.reinstatePathByOperator(Self.sdb, now: t1 + .seconds(6))) == ["3600a: reinstate_path 8:16", "check 8:16"])
        #expect(T.significant(e.checkerFinished(Self.sdb, T.up, now: t1 + .seconds(6))) == [])
        #expect(e.paths[Self.sdb]!.health.state == .up && e.paths[Self.sdb]!.health.membership == .active)
    }

    @Test func disabledQueueingSurvivesAReload() {
        var e = T.twoPathMap("find_multipaths no\nno_path_retry queue")
        #expect(T.significant(e.disableQueueing("3600a")) == ["3600a: fail_if_no_path"])
        #expect(
            T.significant(e.reloadByOperator("3600a", now: T.t0)) == [
                "reload 3600a (32768 sectors): 0 0 2 1 service-time 0 1 1 8:16 1 service-time 0 1 1 8:32 1"
            ])
        #expect(T.significant(e.restoreQueueing("3600a", now: T.t0)) == ["3600a: queue_if_no_path"])
    }

    @Test func resizeNeedsPathsThatAgree() throws {
        var e = T.twoPathMap("find_multipaths no")
        #expect(throws: AdminRefusal.self) { try e.resizeByOperator("3600a", sizes: [Self.sdb: 100, Self.sdc: 200], now: T.t0) }
        #expect(throws: AdminRefusal.self) { try e.resizeByOperator("3600a", sizes: [Self.sdb: 0, Self.sdc: 0], now: T.t0) }
        #expect(T.significant(try e.resizeByOperator("3600a", sizes: [Self.sdb: 32768, Self.sdc: 32768], now: T.t0)) == [])
        #expect(
            T.significant(try e.resizeByOperator("3600a", sizes: [Self.sdb: 65536, Self.sdc: 0], now: T.t0)) == [
                "reload 3600a (65536 sectors): 0 0 2 1 service-time 0 1 1 8:16 1 service-time 0 1 1 8:32 1"
            ])
    }

    @Test func aFlushedMapStaysGoneUntilAddMap() throws {
        var e = T.twoPathMap("find_multipaths no")
        #expect(T.significant(e.flushByOperator("3600a")) == ["flush 3600a"])
        _ = e.mapFlushed("3600a")
        #expect(e.maps.isEmpty && e.paths[Self.sdb]!.health.membership == .absent)
        #expect(T.significant(e.checkerFinished(Self.sdb, T.up, now: T.t0 + .seconds(5))) == [])
        #expect(
            T.significant(try e.addMapByOperator("3600a", now: T.t0 + .seconds(6))) == [
                "create 3600a 0 0 2 1 service-time 0 1 1 8:16 1 service-time 0 1 1 8:32 1"
            ])
        #expect(throws: AdminRefusal("3600b: unknown map (no multipathed path has this WWID or alias)")) {
            try e.addMapByOperator("3600b", now: T.t0)
        }
    }

    @Test func reservationKeysComeFromTheConfigurationOrTheFile() {
        let fixed = T.twoPathMap("find_multipaths no\nreservation_key 0x12:aptpl")
        #expect(fixed.reservationKey("3600a", prkeys: PRKeysFile(nil)) == PRKey(value: 0x12, aptpl: true))
        #expect(fixed.setPRKey("3600a", PRKey(value: 0x13), prkeys: PRKeysFile(nil)).applied == false)
        let file = T.twoPathMap("find_multipaths no\nreservation_key file")
        let (actions, applied) = file.setPRKey("3600a", PRKey(value: 0x13), prkeys: PRKeysFile(nil))
        #expect(applied && actions == [.savePRKeys(PRKeysFile.header + "0x0000000000000013 3600a\n")])
    }
}
