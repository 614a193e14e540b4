import MultipathRegex
import Testing

@testable import MultipathCore

/// The core alone: values and instants in, actions out.
@Suite struct MultipathsTests {
    static let t0 = Instant(nanoseconds: 1_000_000_000)

    static func engine(_ defaults: String = "") -> Multipaths {
        let (config, diagnostics) = ConfigLoader.load(
            main: ("/etc/multipath.conf", "defaults {\n\(defaults)\n}\n"), confD: [], regex: .glibc)
        // san_path_err_* warn that they are deprecated, as in 0.9.4.
        precondition(diagnostics.allSatisfy { $0.message.hasSuffix("please use marginal_path options instead") }, "\(diagnostics)")
        return Multipaths(config: config)
    }

    static func path(_ minor: UInt32, wwid: String = "3600a", name: String? = nil) -> PathIdentity {
        PathIdentity(
            name: name ?? "sd\(Character(UnicodeScalar(UInt8(97 + minor / 16))))", devT: DevT(major: 8, minor: minor),
            vendor: "Linux", product: "scsi_debug", wwid: wwid, sizeSectors: 32768)
    }

    static let choice = PathChoice(
        checker: Resolved(value: .tur, origin: .internalDefault, location: nil),
        prio: Resolved(value: .const, origin: .internalDefault, location: nil),
        prioArgs: "", checkerTimeout: .seconds(30))
    static let up = CheckerVerdict(.up, "TUR good")
    static let down = CheckerVerdict(.down, "path offline")

    static func significant(_ actions: [MultipathAction]) -> [String] {
        actions.compactMap { a in
            switch a {
            case .note, .scheduleCheck, .setMapTimer, .prioritize, .rememberWWID, .saveBindings: nil
            case .create(let l): "create \(l.name) \(l.table)"
            default: a.description
            }
        }
    }

    /// Two paths up: one create once both were checked, not before.
    static func twoPathMap(_ defaults: String = "") -> Multipaths {
        let features = defaults.contains("no_path_retry") ? "1 queue_if_no_path" : "0"
        var e = engine(defaults)
        let sdb = DevT(major: 8, minor: 16), sdc = DevT(major: 8, minor: 32)
        #expect(significant(e.addPath(path(16), udevProperties: nil, choice: choice, now: t0)) == ["check 8:16"])
        #expect(significant(e.addPath(path(32), udevProperties: nil, choice: choice, now: t0)) == ["check 8:32"])
        #expect(significant(e.checkerFinished(sdb, up, now: t0)) == [])
        // A map with a reservation key reads the registered keys at its setup (0.9.4's update_map_pr).
        let readKeys = defaults.contains("reservation_key") ? ["read reservation keys of 3600a"] : []
        #expect(
            significant(e.checkerFinished(sdc, up, now: t0)) == [
                "create 3600a \(features) 0 2 1 service-time 0 1 1 8:16 1 service-time 0 1 1 8:32 1"
            ] + readKeys)
        // udev has seen the new map: its reloads need not wait (missing_uev_wait_timeout).
        #expect(significant(e.mapUevent("3600a", now: t0)) == [])
        return e
    }

    @Test func mapIsCreatedOnceAllItsPathsWereChecked() {
        var e = Self.twoPathMap("find_multipaths no")
        #expect(e.maps["3600a"]?.members == [DevT(major: 8, minor: 16), DevT(major: 8, minor: 32)])
        #expect(!e.wwids.contains("3600a"), "remembered once the kernel made it")
        #expect(e.mapCreateFinished("3600a", succeeded: true).contains(.rememberWWID("3600a")))
        #expect(e.wwids.contains("3600a"))
    }

    @Test func failAndReinstateFollowTheChecker() {
        var e = Self.twoPathMap("find_multipaths no")
        let sdb = DevT(major: 8, minor: 16)
        let t1 = Self.t0 + .seconds(5)
        let a = e.checkerFinished(sdb, Self.down, now: t1)
        #expect(Self.significant(a) == ["3600a: fail_path 8:16"])
        // A failed path is probed again every failed_path_reprobe_ms (100 ms), not polling_interval: at
        // its own phase of that interval, a sixteenth of an interval to 17/16 from now.
        let probe = a.compactMap { action -> (Instant, Instant)? in
            if case .scheduleCheck(sdb, let earliest, let latest) = action { return (earliest, latest) }
            return nil
        }
        #expect(probe.count == 1)
        if let (earliest, latest) = probe.first {
            #expect(latest >= t1 + .microseconds(6250) && latest < t1 + .microseconds(106_250))
            #expect(latest - earliest == .microseconds(3125), "a thirty-second of the interval")
        }
        #expect(Self.significant(e.checkDue(sdb, now: t1 + .milliseconds(100))) == ["check 8:16"])
        #expect(e.checkDue(sdb, now: t1 + .milliseconds(200)).isEmpty, "one probe in flight per path")
        #expect(Self.significant(e.checkerFinished(sdb, Self.up, now: t1 + .milliseconds(105))) == ["3600a: reinstate_path 8:16"])
    }

    @Test func reprobeOffRestoresThePollingInterval() {
        var e = Self.twoPathMap("find_multipaths no\nfailed_path_reprobe_ms off")
        let sdb = DevT(major: 8, minor: 16)
        let a = e.checkerFinished(sdb, Self.down, now: Self.t0)
        #expect(a.contains(.scheduleCheck(sdb, earliest: Self.t0 + .microseconds(4_687_500), latest: Self.t0 + .seconds(5))))
    }

    @Test func aLoopThatIsAlwaysAwakeChecksAHealthyPathNearItsInterval() {
        // At a thousand paths the loop is awake for something all the time, and a check fires as soon
        // as its window opens: the window decides how much more often than polling_interval (5 s) a path
        // is checked (a quarter of the interval made 26 checks in 100 s).
        var e = Self.twoPathMap("find_multipaths no")
        let sdb = DevT(major: 8, minor: 16)
        func window(_ actions: [MultipathAction]) -> (Instant, Instant)? {
            for a in actions { if case .scheduleCheck(sdb, let earliest, let latest) = a { return (earliest, latest) } }
            return nil
        }
        var now = Self.t0
        var next = window(e.checkerFinished(sdb, Self.up, now: now))
        var checks = 0
        while let (earliest, latest) = next, earliest < Self.t0 + .seconds(100) {
            #expect(latest - now == .seconds(5), "never later than polling_interval")
            now = earliest
            #expect(Self.significant(e.checkDue(sdb, now: now)) == ["check 8:16"])
            checks += 1
            next = window(e.checkerFinished(sdb, Self.up, now: now))
        }
        #expect(checks == 21)
    }

    @Test func healthyPathsBackOffUpToMaxPollingIntervalAndAChangeResets() {
        var e = Self.twoPathMap("find_multipaths no\npolling_interval 2\nmax_polling_interval 8")
        let sdb = DevT(major: 8, minor: 16)
        var now = Self.t0
        var latest: [Duration] = []
        for verdict in [Self.up, Self.up, Self.up, Self.up, Self.down, Self.up] {
            now = now + .seconds(1)
            for a in e.checkerFinished(sdb, verdict, now: now) {
                if case .scheduleCheck(_, _, let l) = a { latest.append(l - now) }
            }
        }
        #expect(latest.count == 6)
        #expect(Array(latest.prefix(4)) == [.seconds(4), .seconds(8), .seconds(8), .seconds(8)])
        #expect(latest[4] > .milliseconds(6) && latest[4] < .milliseconds(107), "failed: re-probed at its phase of 100 ms")
        #expect(latest.last == .seconds(2), "back to polling_interval")
    }

    @Test func kernelFailedPathIsProbedAtOnce() throws {
        var e = Self.twoPathMap("find_multipaths no")
        let status = try MultipathStatus(parsing: "2 0 0 0 2 1 A 0 1 2 8:16 F 1 0 0 E 0 1 2 8:32 A 0 0 0")
        let a = e.mapStatus(name: "3600a", status: status, table: nil, now: Self.t0)
        #expect(Self.significant(a) == ["check 8:16"])
        #expect(Self.significant(e.checkerFinished(DevT(major: 8, minor: 16), Self.up, now: Self.t0)) == ["3600a: reinstate_path 8:16"])
    }

    @Test func noPathRetryQueuesForNIntervalsThenFails() {
        var e = Self.twoPathMap("find_multipaths no\nno_path_retry 3")
        let (sdb, sdc) = (DevT(major: 8, minor: 16), DevT(major: 8, minor: 32))
        #expect(e.maps["3600a"]!.queueing)
        _ = e.checkerFinished(sdb, Self.down, now: Self.t0)
        let a = e.checkerFinished(sdc, Self.down, now: Self.t0)
        #expect(a.contains(.setMapTimer(wwid: "3600a", at: Self.t0 + .seconds(15))))
        #expect(Self.significant(e.mapTimerFired("3600a", now: Self.t0 + .seconds(15))) == ["3600a: fail_if_no_path"])
        #expect(
            Self.significant(e.checkerFinished(sdb, Self.up, now: Self.t0 + .seconds(20))) == [
                "3600a: reinstate_path 8:16", "3600a: queue_if_no_path"
            ])
    }

    @Test func lastPathRemovedRemovesTheMap() {
        var e = Self.twoPathMap("find_multipaths no\nflush_on_last_del yes\nno_path_retry queue")
        #expect(
            Self.significant(e.removePath(DevT(major: 8, minor: 16), now: Self.t0)) == [
                "forget 8:16", "reload 3600a (32768 sectors): 1 queue_if_no_path 0 1 1 service-time 0 1 1 8:32 1"
            ])
        #expect(
            Self.significant(e.removePath(DevT(major: 8, minor: 32), now: Self.t0)) == [
                "forget 8:32", "3600a: fail_if_no_path", "remove 3600a"
            ])
        #expect(e.maps["3600a"]?.members == [], "kept, with no paths, until the kernel let it go")
        #expect(e.mapRemoved(name: "3600a", now: Self.t0).isEmpty && e.maps.isEmpty && e.map(named: "3600a") == nil)
    }

    @Test func blacklistedAndWWIDlessPathsAreOrphans() {
        var e = Self.engine("find_multipaths no")
        var noWWID = Self.path(16)
        noWWID.wwid = nil
        #expect(Self.significant(e.addPath(noWWID, udevProperties: nil, choice: Self.choice, now: Self.t0)) == [])
        #expect(e.orphans[noWWID.devT]?.reason.description == "no WWID")
        let (config, _) = ConfigLoader.load(
            main: ("c", "blacklist {\nwwid 3600b\n}\ndefaults {\nfind_multipaths no\n}"), confD: [], regex: .glibc)
        var b = Multipaths(config: config)
        _ = b.addPath(Self.path(32, wwid: "3600b"), udevProperties: nil, choice: Self.choice, now: Self.t0)
        #expect(b.orphans[DevT(major: 8, minor: 32)]?.reason.description == "blacklisted by wwid \"3600b\"")
    }

    @Test func findMultipathsStrictTakesOnlyKnownWWIDs() {
        var e = Self.engine("find_multipaths strict")
        _ = e.addPath(Self.path(16), udevProperties: nil, choice: Self.choice, now: Self.t0)
        #expect(e.paths.isEmpty && e.orphans.count == 1)
    }

    @Test func shutdownStopsQueueingUnlessQueueWithoutDaemon() {
        #expect(Self.significant(Self.twoPathMap("find_multipaths no\nno_path_retry queue").shutdown()) == ["3600a: fail_if_no_path"])
        #expect(Self.twoPathMap("find_multipaths no\nno_path_retry queue\nqueue_without_daemon yes").shutdown().isEmpty)
    }

    @Test func sanPathErrHoldsAFlappingPathBackUnlessItIsTheLast() {
        var e = Self.twoPathMap("find_multipaths no\nsan_path_err_threshold 2\nsan_path_err_forget_rate 100\nsan_path_err_recovery_time 10")
        let sdb = DevT(major: 8, minor: 16)
        var now = Self.t0
        for _ in 0..<2 {
            now = now + .seconds(1)
            _ = e.checkerFinished(sdb, Self.down, now: now)
            now = now + .seconds(1)
            _ = e.checkerFinished(sdb, Self.up, now: now)
        }
        _ = e.checkerFinished(sdb, Self.down, now: now + .seconds(1))
        #expect(Self.significant(e.checkerFinished(sdb, Self.up, now: now + .seconds(2))) == [], "held back")
        #expect(e.paths[sdb]?.health.state == .delayed)
        #expect(Self.significant(e.checkerFinished(sdb, Self.up, now: now + .seconds(13))) == ["3600a: reinstate_path 8:16"])
    }
}

@Suite struct MultipathsMoreTests {
    typealias T = MultipathsTests

    @Test func ghostDelayWaitsForAnActivePathBeforeCreating() {
        var e = T.engine("find_multipaths no\nghost_delay 10")
        let (sdb, sdc) = (DevT(major: 8, minor: 16), DevT(major: 8, minor: 32))
        _ = e.addPath(T.path(16), udevProperties: nil, choice: T.choice, now: T.t0)
        _ = e.addPath(T.path(32), udevProperties: nil, choice: T.choice, now: T.t0)
        _ = e.checkerFinished(sdb, CheckerVerdict(.ghost, "standby"), now: T.t0)
        let a = e.checkerFinished(sdc, CheckerVerdict(.ghost, "standby"), now: T.t0)
        #expect(T.significant(a) == [] && a.contains(.setMapTimer(wwid: "3600a", at: T.t0 + .seconds(10))))
        #expect(T.significant(e.mapTimerFired("3600a", now: T.t0 + .seconds(10))).first?.hasPrefix("create 3600a") ?? false)
    }

    @Test func anUpPathEndsTheGhostDelay() {
        var e = T.engine("find_multipaths no\nghost_delay 10")
        let (sdb, sdc) = (DevT(major: 8, minor: 16), DevT(major: 8, minor: 32))
        _ = e.addPath(T.path(16), udevProperties: nil, choice: T.choice, now: T.t0)
        _ = e.addPath(T.path(32), udevProperties: nil, choice: T.choice, now: T.t0)
        _ = e.checkerFinished(sdb, CheckerVerdict(.ghost, "standby"), now: T.t0)
        _ = e.checkerFinished(sdc, CheckerVerdict(.ghost, "standby"), now: T.t0)
        let a = e.checkerFinished(sdc, T.up, now: T.t0 + .seconds(1))
        #expect(T.significant(a).contains { $0.hasPrefix("create 3600a") })
    }

    @Test func aChangedWWIDMovesThePathToANewMap() {
        var e = T.twoPathMap("find_multipaths no")
        let a = e.changePath(T.path(16, wwid: "3600b"), choice: T.choice, now: T.t0)
        #expect(T.significant(a) == ["forget 8:16", "reload 3600a (32768 sectors): 0 0 1 1 service-time 0 1 1 8:32 1", "check 8:16"])
        #expect(e.members(of: "3600b") == [DevT(major: 8, minor: 16)])
    }

    @Test func anAdoptedMapThatDiffersFromTheConfigurationIsReloadedOnce() throws {
        var e = T.engine("find_multipaths no\npath_grouping_policy multibus")
        let table = try MultipathTable(parsing: "0 0 2 1 service-time 0 1 2 8:16 1 1 service-time 0 1 2 8:32 1 1")
        let status = try MultipathStatus(parsing: "2 0 0 0 2 1 A 0 1 2 8:16 A 0 0 0 E 0 1 2 8:32 A 0 0 0")
        _ = e.adopt(name: "mpatha", wwid: "3600a", sizeSectors: 32768, table: table, status: status, now: T.t0)
        _ = e.addPath(T.path(16), udevProperties: nil, choice: T.choice, now: T.t0)
        _ = e.addPath(T.path(32), udevProperties: nil, choice: T.choice, now: T.t0)
        _ = e.checkerFinished(DevT(major: 8, minor: 16), T.up, now: T.t0)
        #expect(
            T.significant(e.checkerFinished(DevT(major: 8, minor: 32), T.up, now: T.t0)) == [
                "reload mpatha (32768 sectors): 0 0 1 1 service-time 0 2 1 8:16 1 8:32 1"
            ])
    }

    @Test func aTableLoadedBehindOurBackIsTaken() throws {
        var e = T.twoPathMap("find_multipaths no")
        let theirs = try MultipathTable(parsing: "0 0 1 1 round-robin 0 1 1 8:16 1")
        let status = try MultipathStatus(parsing: "2 0 0 0 1 1 A 0 1 0 8:16 A 0")
        _ = e.mapStatus(name: "3600a", status: status, table: theirs, now: T.t0)
        #expect(e.maps["3600a"]?.table == theirs)
        #expect(T.significant(e.mapVanished(name: "3600a")) == [] && e.maps.isEmpty)
    }
}

@Suite struct DelayChecksEffectTests {
    typealias T = MultipathsTests

    /// delay_watch_checks + delay_wait_checks act through san_path_err: a path that failed once is held
    /// back for wait checks x max_polling_interval once it comes back.
    @Test func delayChecksHoldAPathBackAfterOneFailure() {
        var e = T.twoPathMap("find_multipaths no\npolling_interval 5\ndelay_watch_checks 10\ndelay_wait_checks 2")
        let sdb = DevT(major: 8, minor: 16)
        #expect(T.significant(e.checkerFinished(sdb, T.down, now: T.t0 + .seconds(1))) == ["3600a: fail_path 8:16"])
        #expect(T.significant(e.checkerFinished(sdb, T.up, now: T.t0 + .seconds(2))) == [], "held back")
        #expect(e.paths[sdb]?.health.state == .delayed)
        #expect(T.significant(e.checkerFinished(sdb, T.up, now: T.t0 + .seconds(12))) == ["3600a: reinstate_path 8:16"])
    }
}

@Suite struct AdmissionTests {
    typealias T = MultipathsTests

    static func path(_ minor: UInt32, _ transport: Transport, name: String? = nil) -> PathIdentity {
        var p = T.path(minor, name: name)
        p.transport = transport
        return p
    }

    @Test func usbDisksAreSkippedUnlessAllowed() {
        var e = T.engine("find_multipaths no")
        let a = e.addPath(Self.path(16, .scsi(.usb)), udevProperties: nil, choice: T.choice, now: T.t0)
        #expect(a == [.note("sdb: skip USB device (allow_usb_devices is no)")])
        #expect(e.orphans[DevT(major: 8, minor: 16)]?.reason.isBlacklisted == true && e.paths.isEmpty)

        var allowed = T.engine("find_multipaths no\nallow_usb_devices yes")
        #expect(
            T.significant(allowed.addPath(Self.path(16, .scsi(.usb)), udevProperties: nil, choice: T.choice, now: T.t0)) == ["check 8:16"])
        // A reconfigure that forbids them again takes the path out.
        let (strict, _) = ConfigLoader.load(main: ("/etc/multipath.conf", "defaults {\nfind_multipaths no\n}\n"), confD: [], regex: .glibc)
        _ = allowed.reconfigure(strict, choices: [:], now: T.t0)
        #expect(allowed.paths.isEmpty && allowed.orphans[DevT(major: 8, minor: 16)]?.reason == .usbDevice)
    }

    /// A path whose size differs from its map's is refused; so is one that differs from the paths of
    /// its WWID already taken, before the map exists. The map is built over the others.
    @Test func aPathOfAnotherSizeIsRefused() {
        var e = T.twoPathMap("find_multipaths no")
        var small = T.path(48)
        small.sizeSectors = 2048
        let a = e.addPath(small, udevProperties: nil, choice: T.choice, now: T.t0)
        #expect(a == [.note("sdd: not added to 3600a, device size mismatch: 2048 sectors, the map has 32768")])
        #expect(e.orphans[small.devT] != nil && e.maps["3600a"]?.members.count == 2)

        var fresh = T.engine("find_multipaths no")
        _ = fresh.addPath(T.path(16), udevProperties: nil, choice: T.choice, now: T.t0)
        #expect(T.significant(fresh.addPath(small, udevProperties: nil, choice: T.choice, now: T.t0)).isEmpty)
        #expect(fresh.orphans[small.devT]?.reason == .sizeMismatch(map: "3600a", sectors: 2048, expected: 32768))
        #expect(
            T.significant(fresh.checkerFinished(DevT(major: 8, minor: 16), T.up, now: T.t0)) == [
                "create 3600a 0 0 1 1 service-time 0 1 1 8:16 1"
            ])
    }

    /// Two NVMe/TCP namespaces of one nvmet subsystem, as 0.9.4 builds their map: the generic NVMe
    /// entry (`ID_WWN`, checker `none`, group_by_prio, failback immediate), `prio ana` by `detect_prio`
    /// over `prio alua` from the defaults (which would fall back to `const`: no TPGS), one group of both paths, bio-based
    /// (`queue_mode bio`, forced over NVMe/TCP paths).
    @Test func nvmePathsMakeOneMapUnderTheNVMeEntry() {
        var e = T.engine("find_multipaths no\nprio alua\nno_path_retry queue")
        let paths = [UInt32(1), 2].map { minor in
            PathIdentity(
                name: "nvme\(minor)n1", devT: DevT(major: 259, minor: minor), vendor: "NVME", product: "Linux",
                revision: "6.1.0-28", wwid: "uuid.58", serial: "5a1f7e0058", sizeSectors: 131072, transport: .nvme(.tcp))
        }
        for p in paths {
            let settings = e.config.pathSettings(for: p)
            #expect(settings.uidAttribute.value == "ID_WWN")
            let choice = PathChoice.select(p, settings, hasAccessState: false, checkerTimeout: .seconds(30))
            #expect(choice.checker == Resolved(value: .none, origin: .deviceConfiguration, location: nil))
            // detect_prio: ana, unless the controller says it has no ANA; then alua's fallback, const.
            #expect(choice.prio == Resolved(value: .ana, origin: .internalDefault, location: nil))
            #expect(choice.prioWithoutANA == .init(prio: Resolved(value: .const, origin: .aluaFallback, location: nil), args: ""))
            #expect(T.significant(e.addPath(p, udevProperties: nil, choice: choice, now: T.t0)) == ["check 259:\(p.devT.minor)"])
        }
        for p in paths {
            let actions = e.checkerFinished(p.devT, CheckerVerdict.nvmeControllerState("live"), now: T.t0)
            #expect(T.significant(actions).isEmpty && actions.contains(.prioritize(p.devT)))
        }
        // Both in the same ANA state (optimized, 50): one group.
        #expect(T.significant(e.priorityFinished(paths[0].devT, 50, now: T.t0)).isEmpty)
        #expect(
            T.significant(e.priorityFinished(paths[1].devT, 50, now: T.t0)) == [
                "create uuid.58 3 queue_if_no_path queue_mode bio 0 1 1 service-time 0 2 1 259:1 1 259:2 1"
            ])
    }
}

@Suite struct LogCheckerErrTests {
    typealias T = MultipathsTests

    static func notes(_ actions: [MultipathAction]) -> [String] {
        actions.compactMap { if case .note(let n) = $0 { n } else { nil } }
    }

    /// A path that stays down: `always` logs its error again once per polling interval, `once` only
    /// at the change.
    @Test(arguments: [("always", ["3600a: sdb - path offline"]), ("once", [])])
    func aPathStillDownIsLoggedAgainUnderAlways(mode: String, repeated: [String]) {
        var e = T.twoPathMap("find_multipaths no\npolling_interval 5\nlog_checker_err \(mode)")
        let sdb = DevT(major: 8, minor: 16)
        #expect(Self.notes(e.checkerFinished(sdb, T.down, now: T.t0 + .seconds(1))) == ["sdb: up -> down (path offline)"])
        #expect(Self.notes(e.checkerFinished(sdb, T.down, now: T.t0 + .seconds(2))) == [], "not before the polling interval")
        #expect(Self.notes(e.checkerFinished(sdb, T.down, now: T.t0 + .seconds(6))) == repeated)
        #expect(Self.notes(e.checkerFinished(sdb, T.down, now: T.t0 + .seconds(7))) == [])
    }
}
