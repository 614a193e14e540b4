import Glibc
import Logging
import MultipathCore
import MultipathDaemon
import MultipathReactor
import MultipathSystem
import MultipathTestKit
import Testing

/// A unique abstract address per test: tests run in parallel and share the host's abstract namespace.
func testSocketAddress(_ tag: String) -> ControlSocketAddress {
    return ControlSocketAddress("@/swift-multipathd-test/\(getpid())/\(tag)/\(UInt32.random(in: 0...UInt32.max))")
}

/// Answers `show daemon` and `fail path` as a daemon would, echoes other commands, or (`holdEverything`) keeps the replies for later.
final class ScriptedHandler: ControlHandler {
    var commands: [ControlCommand] = []
    var held: [(String) -> Void] = []
    var holdEverything = false
    /// Sent for every command when set (a big `show paths`, say).
    var cannedReply: String?
    let versionLine = "test-version"

    func handle(_ command: ControlCommand, from peer: PeerCredentials, reply: @escaping (String) -> Void) {
        commands.append(command)
        if holdEverything {
            held.append(reply)
            return
        }
        if let cannedReply { return reply(cannedReply) }
        switch command {
        case .showDaemon: reply("pid 1 idle\n")
        case .quit: reply("")
        case .failPath: reply(ControlReply.fail)
        default: reply("\(command)\n")
        }
    }
}

/// A real listener and server on a reactor (manual clock) and raw client sockets.
final class ServerHarness {
    let clock = ManualClock()
    let reactor: Reactor
    let handler = ScriptedHandler()
    let log = CapturingLogHandler(level: .debug)
    let server: ControlServer
    let address: ControlSocketAddress
    /// The uid clients appear to have; nil: the one the kernel reports.
    var uid: UInt32? = 0
    /// accept fails with these first, one per call (EMFILE: the process is out of descriptors).
    var acceptFailures: [Errno] = []
    /// Sees each connection the server accepts.
    var onAccept: (FileDescriptor) -> Void = { _ in }

    init(timeout: Duration = .milliseconds(4000), maxClients: Int = 1024, tag: String = #function) throws {
        reactor = try Reactor(clock: clock)
        address = testSocketAddress(tag)
        let listener = try ControlListener(binding: address)
        var credentials: (FileDescriptor) throws(SystemError) -> PeerCredentials = { _ in PeerCredentials(pid: 0, uid: 0, gid: 0) }
        var accept: (ControlListener) throws(SystemError) -> FileDescriptor? = { _ in nil }
        server = ControlServer(
            reactor: reactor, logger: log.logger, listeners: [listener], handler: handler,
            timeout: timeout, maxClients: maxClients, credentials: { fd throws(SystemError) in try credentials(fd) },
            accept: { listener throws(SystemError) in try accept(listener) })
        credentials = { [unowned self] fd throws(SystemError) in
            var real = try ControlSocketIO.peerCredentials(fd)
            real.uid = uid ?? real.uid
            return real
        }
        accept = { [unowned self] listener throws(SystemError) in
            if !acceptFailures.isEmpty { throw SystemError("accept", acceptFailures.removeFirst()) }
            let fd = try listener.accept()
            if let fd { onAccept(fd) }
            return fd
        }
        try server.start()
    }

    deinit { server.stop() }

    func pump(_ turns: Int = 8) throws {
        for _ in 0..<turns { try reactor.runOnce(maxWait: .zero) }
    }

    func connect() throws -> TestClient {
        let c = try TestClient(address)
        try pump()
        return c
    }
}

func connectionIsClosed(_ fd: Int32) -> Bool {
    var byte: UInt8 = 0
    let n = recv(fd, &byte, 1, Int32(MSG_DONTWAIT | MSG_PEEK))
    return n == 0 || (n < 0 && errno == ECONNRESET)
}

/// Whether the peer of `fd` closes within `limit`. Not at once: a process another test spawns at that
/// moment holds a copy of every descriptor until its exec, the server's end included, and the end
/// reaches us only then.
func connectionCloses(_ fd: Int32, within limit: Duration) -> Bool {
    let clock = ContinuousClock()
    let end = clock.now + limit
    while !connectionIsClosed(fd) {
        guard clock.now < end else { return false }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        _ = poll(&p, 1, 10)
    }
    return true
}

/// A client socket driven byte by byte.
final class TestClient {
    let fd: Int32
    private var decoder = ControlRequestDecoder(limit: 1 << 20)

    init(_ address: ControlSocketAddress) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var a = sockaddr_un()
        a.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(address.name.utf8)
        bytes[0] = 0
        withUnsafeMutableBytes(of: &a.sun_path) { $0.copyBytes(from: bytes) }
        let len = socklen_t(2 + bytes.count)
        let r = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, len) } }
        try #require(r == 0, "connect: \(Errno.current)")
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        precondition(n == bytes.count, "short send")
    }

    func send(request: String) { send(ControlFraming.frame(request)) }

    /// Every complete reply waiting now (non-blocking).
    func replies() -> [String] {
        var out: [String] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard n > 0 else { break }
            for case .request(let text) in decoder.feed(chunk[..<n]) { out.append(text) }
        }
        return out
    }

    /// Whether the server has closed the connection by now (a reset when it closed with our bytes unread).
    var isClosed: Bool { connectionIsClosed(fd) }

    /// Whether the server closes the connection within `limit` (see `connectionCloses`).
    func closes(within limit: Duration = .seconds(5)) -> Bool { connectionCloses(fd, within: limit) }
}

@Suite struct ControlServerTests {
    /// Out of descriptors, accept fails and the listener stays readable: the server backs off (no busy
    /// loop) and serves the waiting client once accept works again; the listener is never given up.
    @Test func theListenerSurvivesEMFILEAndServesTheWaitingClient() throws {
        let h = try ServerHarness()
        var log: [String] = []
        h.reactor.logSink = { log.append($0) }
        h.acceptFailures = [Errno(rawValue: EMFILE), Errno(rawValue: EMFILE)]
        let c = try TestClient(h.address)
        c.send(request: "show daemon")
        try h.pump()
        #expect(h.acceptFailures.count == 1 && c.replies().isEmpty)  // one try, then paused
        h.clock.advance(by: .milliseconds(50))
        try h.pump()
        #expect(h.acceptFailures.isEmpty && c.replies().isEmpty)  // the second try failed too
        h.clock.advance(by: .milliseconds(100))
        try h.pump()
        #expect(c.replies() == ["pid 1 idle\n"])
        #expect(log.count == 2 && log.allSatisfy { $0.contains("failed: accept: ") && $0.contains("paused, retrying in") })
        let later = try h.connect()
        later.send(request: "show daemon")
        try h.pump()
        #expect(later.replies() == ["pid 1 idle\n"])
    }

    @Test func aRequestGetsItsReplyFramedWithLengthAndNUL() throws {
        let h = try ServerHarness()
        let c = try h.connect()
        c.send(request: "show daemon")
        try h.pump()
        var raw = [UInt8](repeating: 0, count: 64)
        let n = raw.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        #expect(Array(raw[..<n]) == [12, 0, 0, 0, 0, 0, 0, 0] + Array("pid 1 idle\n".utf8) + [0])
        #expect(h.handler.commands == [.showDaemon])
    }

    @Test func requestsArrivingByteByByteAreReassembled() throws {
        let h = try ServerHarness()
        let c = try h.connect()
        for byte in ControlFraming.frame("show daemon \n") {
            c.send([byte])
            try h.pump(1)
        }
        try h.pump()
        #expect(c.replies() == ["pid 1 idle\n"])
    }

    @Test func manyRequestsOnOneConnectionAreAnsweredInOrder() throws {
        let h = try ServerHarness()
        let c = try h.connect()
        c.send((0..<50).flatMap { ControlFraming.frame($0.isMultiple(of: 2) ? "show daemon" : "show maps") })
        try h.pump(40)
        let replies = c.replies()
        #expect(replies.count == 50)
        #expect(replies == (0..<50).map { $0.isMultiple(of: 2) ? "pid 1 idle\n" : "showMaps\n" })
    }

    @Test func theLongestRequestIsAccepted() throws {
        let h = try ServerHarness()
        let c = try h.connect()
        let format = String(repeating: "%d", count: 245) + "x"
        let request = "show paths format \"" + format + "\""
        #expect(ControlFraming.frame(request).count == 8 + 512)
        c.send(request: request)
        try h.pump()
        #expect(c.replies().count == 1)
        #expect(h.handler.commands == [.showPaths(format: format, raw: false)])
    }

    @Test func unparsableRequestsGetHelpOrFail() throws {
        let h = try ServerHarness()
        let c = try h.connect()
        c.send(request: "show foo \n")
        c.send(request: "foo paths \n")
        c.send(request: "quit")
        try h.pump()
        let replies = c.replies()
        #expect(replies.count == 3)
        #expect(replies.first?.hasPrefix("show foo \n: not found\ntest-version\nCLI commands reference:\n") == true)
        #expect(Array(replies.dropFirst()) == ["fail\n", "ok\n"])
        #expect(h.handler.commands == [.quit])
    }

    @Test func othersThanRootMayOnlyListAndShow() throws {
        let h = try ServerHarness()
        h.uid = 1000
        let c = try h.connect()
        c.send(request: "fail path sdb")
        c.send(request: "show daemon")
        c.send(request: "shutdown")
        try h.pump()
        #expect(c.replies() == ["permission deny: need to be root\n", "pid 1 idle\n", "permission deny: need to be root\n"])
        #expect(h.handler.commands == [.showDaemon])
    }

    @Test func anUnansweredRequestTimesOutAndTheLateReplyIsDropped() throws {
        let h = try ServerHarness(timeout: .milliseconds(4000))
        h.handler.holdEverything = true
        let c = try h.connect()
        c.send(request: "reconfigure")
        c.send(request: "show daemon")
        try h.pump()
        h.clock.advance(by: .milliseconds(3999))
        try h.pump()
        #expect(c.replies().isEmpty)
        h.clock.advance(by: .milliseconds(1))
        try h.pump()
        #expect(c.replies() == ["timeout\n"])
        // The next request is answered once the first has timed out; the first's late reply goes nowhere.
        #expect(h.handler.commands == [.reconfigure(all: false), .showDaemon])
        h.handler.held[0]("ok\n")
        h.handler.held[1]("pid 1 idle\n")
        try h.pump()
        #expect(c.replies() == ["pid 1 idle\n"])
    }

    @Test func aStalledClientDoesNotDelayAnother() throws {
        let h = try ServerHarness()
        let stalled = try h.connect()
        stalled.send(Array(ControlFraming.frame("show paths").prefix(11)))  // length and 3 bytes
        var idle: [TestClient] = []
        for _ in 0..<100 { idle.append(try TestClient(h.address)) }
        try h.pump(20)
        #expect(h.server.clientCount == 101)
        let c = try h.connect()
        c.send(request: "show daemon")
        try h.pump(2)
        #expect(c.replies() == ["pid 1 idle\n"])
        #expect(stalled.replies().isEmpty)
    }

    @Test func aClientThatLeavesMidReplyIsForgotten() throws {
        let h = try ServerHarness()
        h.handler.holdEverything = true
        var c: TestClient? = try h.connect()
        c!.send(request: "show daemon")
        try h.pump()
        c = nil
        h.handler.held[0]("pid 1 idle\n")
        try h.pump()
        #expect(h.server.clientCount == 0)
    }

    @Test func stopDropsEveryClient() throws {
        let h = try ServerHarness()
        let c = try h.connect()
        h.server.stop()
        #expect(h.server.clientCount == 0)
        #expect(c.closes())
    }
}

@Suite struct ControlPermissionTests {
    @Test(arguments: [
        ("show paths", true), ("list maps json", true), ("show config", true), ("fail path sdb", false),
        ("reconfigure", false), ("shutdown", false), ("quit", false), ("del map mpatha", false),
        ("setprkey map m key 0x1", false)
    ])
    func nonRootMayOnlyListAndShow(request: String, allowed: Bool) throws {
        let command = try ControlGrammar.parse(request).get()
        #expect(command.isPermitted(for: PeerCredentials(pid: 9, uid: 1000, gid: 1000)) == allowed)
        #expect(command.isPermitted(for: PeerCredentials(pid: 9, uid: 0, gid: 0)))
    }
}
