import Glibc
import Logging
import MultipathCore
import MultipathDaemon
import MultipathReactor
import MultipathRegex
import MultipathSystem
import MultipathTestKit
import Testing

/// A datagram socket playing systemd's NOTIFY_SOCKET.
final class NotifyListener {
    let fd: Int32
    let name = "@/swift-multipathd-test/notify/\(getpid())/\(UInt32.random(in: 0...UInt32.max))"

    init() throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var a = sockaddr_un()
        a.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        bytes[0] = 0
        withUnsafeMutableBytes(of: &a.sun_path) { $0.copyBytes(from: bytes) }
        let len = socklen_t(2 + bytes.count)
        let r = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        try #require(r == 0, "bind: \(Errno.current)")
    }

    deinit { close(fd) }

    func messages() -> [String] {
        var out: [String] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard n > 0 else { return out }
            out.append(String(decoding: buf[..<n], as: UTF8.self))
        }
    }
}

@Suite struct DaemonControlTests {
    func daemonWithControl(
        paths: [(String, String)] = [], clock: ManualClock? = nil, watchdog: Duration? = nil,
        notifier: SystemdNotifier? = nil,
        reload: @escaping () -> Result<Config, ReconfigureFailure> = { .success(.builtin) }
    )
        throws -> (Harness, ControlSocketAddress)
    {
        let address = testSocketAddress("daemon")
        let h = try Harness(
            paths: paths, clock: clock, control: .init(listeners: [try ControlListener(binding: address)]),
            watchdog: watchdog, reload: reload, notifier: notifier)
        try h.daemon.start()
        return (h, address)
    }

    func ask(_ h: Harness, _ c: TestClient, _ request: String) throws -> [String] {
        c.send(request: request)
        try h.pump()
        return c.replies()
    }

    /// The whole sequence as systemd sees it, through a real NOTIFY_SOCKET and the control socket.
    @Test func notifySequenceFromStartThroughReconfigureToShutdown() throws {
        let listener = try NotifyListener()
        let (h, address) = try daemonWithControl(notifier: try SystemdNotifier(socketName: listener.name))
        let c = try TestClient(address)
        try h.pump()
        #expect(try ask(h, c, "reconfigure") == ["ok\n"])
        #expect(try ask(h, c, "shutdown") == ["ok\n"])
        try h.daemon.run()
        #expect(
            listener.messages() == [
                "STATUS=startup", "STATUS=configure", "READY=1\nSTATUS=up",
                "RELOADING=1\nSTATUS=configure", "READY=1\nSTATUS=up",
                "STOPPING=1\nSTATUS=shutdown"
            ])
        #expect(c.closes())
    }

    @Test func aFailedReconfigureSaysFailAndStillReportsReady() throws {
        let (h, address) = try daemonWithControl(reload: { .failure(.init("line 3: unknown keyword 'polling_intervall'")) })
        let c = try TestClient(address)
        #expect(try ask(h, c, "reconfigure") == ["fail\n"])
        #expect(h.messages.contains("control: reconfigure: line 3: unknown keyword 'polling_intervall'; the running configuration stays"))
        #expect(Array(h.notified.suffix(2)) == ["RELOADING=1\nSTATUS=configure", "READY=1\nSTATUS=up"])
    }

    @Test func watchdogEveryHalfInterval() throws {
        let clock = ManualClock()
        let (h, _) = try daemonWithControl(clock: clock, watchdog: .seconds(10))
        clock.advance(by: .milliseconds(4999))
        try h.pump()
        #expect(!h.notified.contains("WATCHDOG=1"))
        clock.advance(by: .milliseconds(1))
        try h.pump()
        clock.advance(by: .seconds(5))
        try h.pump()
        #expect(h.notified.filter { $0 == "WATCHDOG=1" }.count == 2)
    }

    @Test func whatTheDaemonAnswersToday() throws {
        let (h, address) = try daemonWithControl()
        let c = try TestClient(address)
        #expect(try ask(h, c, "show daemon") == ["pid \(getpid()) idle\n"])
        #expect(try ask(h, c, "show status") == ["path checker states:\n\npaths: 0\nbusy: False\n"])
        #expect(try ask(h, c, "show paths") == ["ok\n"])
        #expect(try ask(h, c, "show maps json") == [ShowFormat.json(maps: [])])
        #expect(try ask(h, c, "show wildcards") == [ShowFormat.wildcards])
        #expect(try ask(h, c, "show map mpatha json") == ["fail\n"])
        #expect(try ask(h, c, "fail path sdb") == ["fail\n"])
        #expect(h.messages.contains("control: sdb: invalid path name"))
        #expect(try ask(h, c, "show config") == [renderConfig(h.daemon.engine.config, onlyDifferences: false)])
        #expect(try ask(h, c, "show config local") == [h.daemon.engine.localConfigText()])
        #expect(try ask(h, c, "show blacklist") == [ShowFormat.blacklist(h.daemon.engine.config.blacklist)])
        #expect(try ask(h, c, "show devices") == ["available block devices:\n"])
        #expect(try ask(h, c, "reset maps stats") == ["ok\n"])
        #expect(try ask(h, c, "reset map mpatha stats") == ["fail\n"])
    }

    /// Two paths of one map, checked through the fake kernel: the lists, the counters and their reset.
    @Test func devicesStatsAndTheirReset() throws {
        let clock = ManualClock()
        let (h, address) = try daemonWithControl(paths: [("sdb", "3600a"), ("sdc", "3600a")], clock: clock)
        let c = try TestClient(address)
        for _ in 0..<20 where h.daemon.engine.maps.isEmpty {
            clock.advance(by: .milliseconds(1))
            try h.pump()
        }
        let map = try #require(h.daemon.engine.maps["3600a"])
        #expect(
            try ask(h, c, "show devices") == [
                "available block devices:\n    sdb  devnode whitelisted, monitored\n    sdc  devnode whitelisted, monitored\n"
            ])
        #expect(try ask(h, c, "show status") == ["path checker states:\nup                  2\n\npaths: 2\nbusy: False\n"])
        #expect(
            try ask(h, c, "show maps stats") == [
                "name  path_faults switch_grp map_loads total_q_time q_timeouts\n\(map.name) 0           0          1         0            0         \n"
            ])
        let json = try #require(try ask(h, c, "show stats json").first)
        #expect(json.contains("\"dev\" : \"sdb\""), "\(json)")
        #expect(json.contains("\"check_latency\" : { \"count\" : 1, \"sum_us\" : 1000,"), "the fake kernel answers in 1 ms: \(json)")
        #expect(json.contains("\"map_loads\" : 1,"))
        #expect(try ask(h, c, "reset map nosuchmap stats") == ["fail\n"])
        #expect(try ask(h, c, "reset map \(map.name) stats") == ["ok\n"])
        #expect(h.daemon.engine.maps["3600a"]!.stats == MapStats())
        #expect(try ask(h, c, "reset maps stats") == ["ok\n"])
    }
}
