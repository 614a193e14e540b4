import Glibc
import MultipathCore
import MultipathDaemon
import MultipathReactor
import MultipathSystem
import MultipathTestKit
import Testing

/// A non-blocking connect: the socket, or nil once the listener's backlog is full (EAGAIN).
private func connectNonBlocking(_ address: ControlSocketAddress) -> Int32? {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
    precondition(fd >= 0, "socket: \(Errno.current)")
    let r = try! address.withSockaddr { Glibc.connect(fd, $0, $1) }
    if r == 0 { return fd }
    precondition(errno == EAGAIN, "connect: \(Errno.current)")
    close(fd)
    return nil
}

/// The socket `fd` names, to tell later whether the server closed it: tests run in parallel, so a
/// closed number may name another test's file by then, never the same socket.
private func inode(_ fd: Int32) -> ino_t {
    var st = stat()
    return fstat(fd, &st) == 0 ? st.st_ino : 0
}

private func stillOpen(_ connection: (fd: Int32, inode: ino_t)) -> Bool { inode(connection.fd) == connection.inode }

private func frameLength(_ length: UInt64) -> [UInt8] { withUnsafeBytes(of: length) { Array($0) } }

/// The control socket under abuse (issue 14): each hostile client is refused or timed out after
/// `uxsock_timeout`, nobody else waits for it, and every descriptor it cost is closed.
@Suite struct ControlAbuseTests {
    /// 10,000 connections, opened as fast as the backlog takes them: the server keeps `maxClients`,
    /// closes the rest at once (one log line per turn, not per connection), answers a client that was
    /// there before, fires its timers every turn, and leaks nothing once they leave.
    @Test func tenThousandConnectionsAtOnce() throws {
        // Room for the clients and the server's ends of them, whatever the soft limit was.
        let limit = FileLimit.raise(to: 16_384).after
        try #require(limit >= 16_384, "RLIMIT_NOFILE \(limit)")
        let h = try ServerHarness(maxClients: 1024)
        var accepted: [(fd: Int32, inode: ino_t)] = []
        h.onAccept = { accepted.append(($0.rawValue, inode($0.rawValue))) }
        let early = try h.connect()
        var checks = 0
        func check() {
            checks += 1
            h.reactor.schedule(earliest: h.reactor.now + .seconds(1), name: "path check") { check() }
        }
        h.reactor.schedule(earliest: h.reactor.now + .seconds(1), name: "path check") { check() }
        var flood: [Int32] = []
        var turns = 0, earlyReplies: [String] = []
        let wall = ContinuousClock()
        var worstTurn = Duration.zero
        while flood.count < 10_000 || turns < 200 {
            while flood.count < 10_000, let fd = connectNonBlocking(h.address) { flood.append(fd) }
            if turns == 50 { early.send(request: "show daemon") }
            h.clock.advance(by: .milliseconds(100))
            let start = wall.now
            try h.reactor.runOnce(maxWait: .zero)
            worstTurn = max(worstTurn, wall.now - start)
            turns += 1
            earlyReplies += early.replies()
        }
        try h.pump(4)  // the backlog's last connections
        #expect(earlyReplies == ["pid 1 idle\n"])
        #expect(checks == turns / 10, "a check every 10 turns of 100 ms, flood or not")
        #expect(worstTurn < .milliseconds(500), "the worst turn took \(worstTurn)")
        #expect(h.server.clientCount == 1024)
        // The server closed all but 1023 (see `connectionCloses` for why it may take a moment to show).
        let wall5s = wall.now + .seconds(5)
        var closed = 0
        repeat { closed = flood.filter(connectionIsClosed).count } while closed < 10_000 - 1023 && wall.now < wall5s
        #expect(closed == 10_000 - 1023)
        #expect(h.log.lines.messages.filter { $0.contains("clients connected already; refused") }.count <= turns)
        for fd in flood { close(fd) }
        // Their ends reach the server when no process another test spawns holds a copy any more.
        for _ in 0..<100 where h.server.clientCount > 1 { try h.reactor.runOnce(maxWait: .milliseconds(50)) }
        #expect(h.server.clientCount == 1)
        #expect(accepted.count == 10_001)
        #expect(accepted.dropFirst().filter(stillOpen).isEmpty, "a flood connection's descriptor leaked")
        let later = try h.connect()
        later.send(request: "show daemon")
        try h.pump(2)
        #expect(later.replies() == ["pid 1 idle\n"])
        print("control flood: 10,000 connections in \(turns) turns, worst turn \(worstTurn)")
    }

    /// 0.9.4 takes 1 to 512 bytes (`_MAX_CMD_LEN`) and closes the connection on any other length; so do
    /// we, without reading (or allocating) the payload: a 64 KiB command costs nothing.
    @Test(arguments: [UInt64(0), 513, 65536, 1 << 31, 1 << 63, UInt64.max])
    func impossibleLengthsCloseTheConnectionAtOnce(length: UInt64) throws {
        let h = try ServerHarness()
        var accepted: [(fd: Int32, inode: ino_t)] = []
        h.onAccept = { accepted.append(($0.rawValue, inode($0.rawValue))) }
        let c = try h.connect()
        c.send(frameLength(length) + [UInt8](repeating: 0x41, count: length == 65536 ? 65536 : 16))
        try h.pump()
        #expect(c.closes())
        #expect(h.server.clientCount == 0 && h.handler.commands.isEmpty)
        #expect(!accepted.contains(where: stillOpen))
        #expect(h.log.lines.messages.contains { $0.contains("sent a request of length \(length) (1 to 512 allowed); closing") })
    }

    /// Bytes without a NUL or a sane length: read as a length, refused. Inside a valid length, the same
    /// garbage is a request that is not a command: the help text, and the connection stays.
    @Test func garbageWithoutNULs() throws {
        let h = try ServerHarness()
        let c = try h.connect()
        c.send([UInt8](repeating: 0xff, count: 4096))
        try h.pump()
        #expect(c.closes() && h.server.clientCount == 0)
        let d = try h.connect()
        d.send(frameLength(100) + [UInt8](repeating: 0xfe, count: 100))
        d.send(request: "show daemon")
        try h.pump()
        let replies = d.replies()
        #expect(replies.count == 2 && replies.first?.contains("CLI commands reference:") == true)
        #expect(replies.last == "pid 1 idle\n")
        #expect(h.handler.commands == [.showDaemon])
    }

    /// A length and then nothing: answered `timeout` after `uxsock_timeout` and closed (the rest, were
    /// it to come, could not be framed any more); meanwhile another client and a check go on.
    @Test(arguments: [3, 8, 12])
    func aRequestBegunAndNotFinishedTimesOut(bytesSent: Int) throws {
        let h = try ServerHarness(timeout: .milliseconds(4000))
        var accepted: [(fd: Int32, inode: ino_t)] = []
        h.onAccept = { accepted.append(($0.rawValue, inode($0.rawValue))) }
        let stalled = try h.connect()
        stalled.send(Array(ControlFraming.frame("show paths").prefix(bytesSent)))
        var checked = false
        h.reactor.schedule(earliest: h.clock.now + .seconds(1), name: "path check") { checked = true }
        try h.pump()
        h.clock.advance(by: .seconds(1))
        let other = try h.connect()
        other.send(request: "show daemon")
        try h.pump(2)
        #expect(checked && other.replies() == ["pid 1 idle\n"])
        h.clock.advance(by: .milliseconds(2999))
        try h.pump()
        #expect(stalled.replies().isEmpty && h.server.clientCount == 2)
        h.clock.advance(by: .milliseconds(1))
        try h.pump()
        #expect(stalled.replies() == ["timeout\n"])
        #expect(stalled.closes() && h.server.clientCount == 1)
        #expect(stillOpen(accepted[1]) && !stillOpen(accepted[0]))
        #expect(h.handler.commands == [.showDaemon])
    }

    /// A request that arrives slowly but whole within the timeout is answered: the clock runs per
    /// request, and an idle connection between requests has none (`multipathd -k` waits there).
    @Test func aSlowButCompleteRequestAndAnIdleClientAreServed() throws {
        let h = try ServerHarness(timeout: .milliseconds(4000))
        let c = try h.connect()
        let frame = ControlFraming.frame("show daemon")
        c.send(Array(frame.prefix(10)))
        try h.pump()
        h.clock.advance(by: .milliseconds(3900))
        c.send(Array(frame.dropFirst(10)))
        try h.pump()
        #expect(c.replies() == ["pid 1 idle\n"])
        h.clock.advance(by: .seconds(3600))
        try h.pump()
        c.send(request: "show daemon")
        try h.pump()
        #expect(c.replies() == ["pid 1 idle\n"] && h.server.clientCount == 1)
    }

    /// A client that asks for a big reply and never reads it: the server writes what the socket takes
    /// and goes on (another client is answered at once), keeps a reader that takes some now and then,
    /// and closes the connection once nothing has been taken for `uxsock_timeout`.
    @Test func aClientThatNeverReadsItsReplyIsClosed() throws {
        let h = try ServerHarness(timeout: .milliseconds(4000))
        var accepted: [(fd: Int32, inode: ino_t)] = []
        h.onAccept = { accepted.append(($0.rawValue, inode($0.rawValue))) }
        let sink = try h.connect()
        h.handler.cannedReply = String(repeating: "sda 8:0   active ready running 3600a\n", count: 100_000)
        sink.send(request: "show paths")
        try h.pump()
        h.handler.cannedReply = nil
        let other = try h.connect()
        other.send(request: "show daemon")
        try h.pump(2)
        #expect(other.replies() == ["pid 1 idle\n"])
        for _ in 0..<2 {
            h.clock.advance(by: .seconds(3))
            var some = [UInt8](repeating: 0, count: 65536), taken = 0
            while case let n = recv(sink.fd, &some, some.count, Int32(MSG_DONTWAIT)), n > 0 { taken += n }
            #expect(taken > 0)
            try h.pump()
            #expect(h.server.clientCount == 2, "a reader that takes some is kept: \(h.log.lines.messages.suffix(4))")
        }
        h.clock.advance(by: .milliseconds(3999))
        try h.pump()
        #expect(h.server.clientCount == 2)
        h.clock.advance(by: .milliseconds(1))
        try h.pump()
        #expect(h.server.clientCount == 1 && !stillOpen(accepted[0]))
        #expect(h.log.lines.messages.contains { $0.contains("took none of its reply for") })
    }

    /// A real process of another user (setpriv, our own client) may only show and list: the kernel's
    /// credentials for its connection, not a stand-in, decide.
    @Test(.enabled(if: getuid() == 0, "switches to another user"))
    func aRealNonRootClientMayOnlyShowAndList() throws {
        let h = try ServerHarness(tag: "nonroot")
        h.uid = nil
        let environment = ["MULTIPATH_SOCKET_NAME": h.address.name]
        let turn = { try h.reactor.runOnce(maxWait: .milliseconds(5)) }
        let denied = try Executable.run(["fail", "path", "sdb"], environment: environment, uid: 65534, whileRunning: turn)
        let shown = try Executable.run(["show", "daemon"], environment: environment, uid: 65534, whileRunning: turn)
        let root = try Executable.run(["fail", "path", "sdb"], environment: environment, whileRunning: turn)
        #expect(denied.output == "permission deny: need to be root\n")
        #expect(shown.output == "pid 1 idle\n" && shown.status == 0)
        #expect(root.output == "fail\n")
        #expect(h.handler.commands.count == 2)
    }
}

/// The whole daemon: clients that stall the socket do not delay the critical path.
@Suite struct ControlAbuseStoryTests {
    @Test func aPathTheKernelFailedIsReinstatedAtOnceWhileClientsStall() throws {
        let sim = try Simulation()
        try sim.start(control: true)
        let stalled = try sim.otherClient()
        stalled.send(Array(ControlFraming.frame("show paths").prefix(11)))
        let idle = try (0..<50).map { _ in try sim.otherClient() }
        try sim.pump()
        let t = sim.clock.now
        sim.kernel.kernelFails("sdb")
        let back = try #require(try sim.advance(until: { sim.active("mpatha", "sdb") == true }, limit: .seconds(1)))
        #expect(back - t <= .milliseconds(2), "one TUR round trip, as with no client at all")
        #expect(try sim.ask("show daemon").hasPrefix("pid "))
        try sim.advance(by: .seconds(4))
        #expect(stalled.replies() == ["timeout\n"] && stalled.closes())
        #expect(idle.allSatisfy { !$0.isClosed })
    }
}
