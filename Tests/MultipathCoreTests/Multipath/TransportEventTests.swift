import Testing

@testable import MultipathCore

/// Transport events (`Multipaths+Transport`): a transport that is back re-probes its failed paths now.
@Suite struct TransportEventTests {
    typealias T = MultipathsTests
    static let (sdb, sdc, sdd) = (DevT(major: 8, minor: 16), DevT(major: 8, minor: 32), DevT(major: 8, minor: 48))
    static let session1 = TransportPort.iscsiSession("session1"), session2 = TransportPort.iscsiSession("session2")

    static func path(_ minor: UInt32, _ port: TransportPort) -> PathIdentity {
        var p = T.path(minor)
        p.transport = .scsi(.iscsi)
        p.transportPort = port
        return p
    }

    /// Three paths to one LUN: sdb and sdd through session1, sdc through session2; all up, map built.
    static func threePaths(_ defaults: String = "find_multipaths no") -> Multipaths {
        var e = T.engine(defaults)
        for (minor, port) in [(16, session1), (32, session2), (48, session1)] {
            _ = e.addPath(path(UInt32(minor), port), udevProperties: nil, choice: T.choice, now: T.t0)
        }
        for d in [sdb, sdc, sdd] { _ = e.checkerFinished(d, T.up, now: T.t0) }
        #expect(e.maps["3600a"]?.members.count == 3)
        return e
    }

    @Test func aSessionBackProbesExactlyItsFailedPathsNow() {
        var e = Self.threePaths()
        let t1 = T.t0 + .seconds(5)
        for d in [Self.sdb, Self.sdc, Self.sdd] { _ = e.checkerFinished(d, T.down, now: t1) }
        // Re-probes are due at t1 + 100 ms; the session is read in between.
        let t2 = t1 + .milliseconds(20)
        #expect(e.transportRead(Self.session1, state: "FREE").isEmpty)
        #expect(e.transportRead(Self.session2, state: "FREE").isEmpty)
        let back = e.transportRead(Self.session1, state: "LOGGED_IN")
        #expect(T.significant(back) == ["check 8:16", "check 8:48"], "session1's paths, now; not session2's sdc")
        #expect(e.checkDue(Self.sdb, now: t1 + .milliseconds(100)).isEmpty, "its probe is out: the slot asks none")
        #expect(T.significant(e.checkerFinished(Self.sdb, T.up, now: t2 + .milliseconds(15))) == ["3600a: reinstate_path 8:16"])
    }

    @Test func readyWithoutADownReadingIsNoReturn() {
        var e = Self.threePaths()
        _ = e.checkerFinished(Self.sdb, T.down, now: T.t0 + .seconds(5))
        // The LUN failed while its session stayed logged in: reading it must not re-probe every time.
        #expect(e.transportRead(Self.session1, state: "LOGGED_IN").isEmpty)
        #expect(e.transportRead(Self.session1, state: nil).isEmpty)
        #expect(T.significant(e.transportRead(Self.session1, state: "LOGGED_IN")) == ["check 8:16"])
        #expect(e.transportRead(Self.session1, state: "LOGGED_IN").isEmpty, "once per return")
    }

    @Test func aProbeOutIsRepeatedWhenItEndsAndTheOperatorsFailStays() throws {
        var e = Self.threePaths()
        let t1 = T.t0 + .seconds(5)
        for d in [Self.sdb, Self.sdd] { _ = e.checkerFinished(d, T.down, now: t1) }
        #expect(T.significant(e.checkDue(Self.sdb, now: t1 + .milliseconds(100))) == ["check 8:16"])
        _ = try e.failPathByOperator(Self.sdd, now: t1)
        #expect(e.transportReturned(Self.session1).filter { $0.isCheck }.isEmpty)
        // sdb's TUR was out (held in the blocked queue): it is sent again as soon as it ends.
        #expect(T.significant(e.checkerFinished(Self.sdb, T.down, now: t1 + .milliseconds(120))) == ["check 8:16"])
    }

    @Test func watchedWhileFailedAndOnlyWithReprobing() {
        var e = Self.threePaths()
        #expect(e.transportToWatch(Self.sdb) == nil, "up: nothing to wait for")
        _ = e.checkerFinished(Self.sdb, T.down, now: T.t0 + .seconds(5))
        #expect(e.transportToWatch(Self.sdb) == Self.session1)
        #expect(e.transportWatchPeriod == .milliseconds(10))
        #expect(e.awaitsReturn(Self.session1) && !e.awaitsReturn(Self.session2))
        _ = e.checkerFinished(Self.sdb, T.up, now: T.t0 + .seconds(6))
        #expect(!e.awaitsReturn(Self.session1))
        var off = Self.threePaths("find_multipaths no\nfailed_path_reprobe_ms off")
        _ = off.checkerFinished(Self.sdb, T.down, now: T.t0 + .seconds(5))
        #expect(off.transportToWatch(Self.sdb) == nil, "as 0.9.4: the next check finds it")
    }

    @Test func statesThatCarryIO() {
        #expect(Self.session1.stateAttribute == "class/iscsi_session/session1/state")
        #expect(["LOGGED_IN"].allSatisfy(Self.session1.isReady) && !["FAILED", "FREE", ""].contains(where: Self.session1.isReady))
        let rport = TransportPort.fcRemotePort("rport-5:0-2")
        #expect(rport.stateAttribute == "class/fc_remote_ports/rport-5:0-2/port_state")
        #expect(["Online", "Marginal"].allSatisfy(rport.isReady) && !["Blocked", "Not Present"].contains(where: rport.isReady))
        let nvme = TransportPort.nvmeController("nvme0")
        #expect(nvme.stateAttribute == "class/nvme/nvme0/state")
        #expect(nvme.isReady("live") && !["connecting", "resetting", "deleting"].contains(where: nvme.isReady))
        #expect(TransportPort.sasEndDevice("end_device-0:0").stateAttribute == nil)
    }
}

extension MultipathAction {
    fileprivate var isCheck: Bool { if case .check = self { true } else { false } }
}
