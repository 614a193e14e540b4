import Glibc
import Logging
import MultipathCore
import MultipathDaemon
import MultipathReactor
import MultipathRegex
import MultipathSystem
import MultipathTestKit
import Testing

/// The daemon wired to the fake kernel and a real reactor; `pump()` runs the loop until it has nothing to do.
final class Harness {
    let udev = FakeUeventSource()
    let kernel: FakeMultipathKernel
    let log: CapturingLogHandler
    let reactor: Reactor
    let daemon: Daemon
    var notified: [String] = []
    var reopened = 0

    init(
        paths: [(String, String)] = [], level: Logger.Level = .debug, clock: ManualClock? = nil,
        control: Daemon.ControlSettings? = nil, watchdog: Duration? = nil,
        reload: @escaping () -> Result<Config, ReconfigureFailure> = { .failure(.init("this build has no configuration to reload")) },
        notifier: SystemdNotifier? = nil
    ) throws {
        log = CapturingLogHandler(level: level)
        reactor = try clock.map { c throws(SystemError) in try Reactor(clock: c) } ?? Reactor()
        kernel = FakeMultipathKernel(reactor: reactor)
        kernel.udev = udev
        for (name, wwid) in paths { kernel.addPath(name, wwid: wwid) }
        var notify: (String) -> Void = { _ in }
        var reopen: () -> Void = {}
        let config = ConfigLoader.load(main: ("/etc/multipath.conf", "defaults {\nfind_multipaths no\n}\n"), confD: [], regex: .glibc).0
        daemon = Daemon(
            reactor: reactor, logger: log.logger, config: config,
            edges: .init(udev: udev, dmEvents: kernel, dm: kernel, io: kernel, host: kernel.host(files: FakeFiles())),
            notify: { notify($0) }, reopenLog: { reopen() }, control: control, watchdog: watchdog,
            reloadConfiguration: reload)
        notify = { [unowned self] in
            notified.append($0)
            try? notifier?.notify($0)
        }
        reopen = { [unowned self] in reopened += 1 }
    }

    func pump() throws {
        for _ in 0..<10 { try reactor.runOnce(maxWait: .zero) }
    }

    var messages: [String] { log.lines.messages }
}

@Suite struct DaemonTests {
    @Test func startReportsEachStepAndReadyOnceTheMapIsBuilt() throws {
        let h = try Harness(paths: [("sda", "3600a")])
        try h.daemon.start()
        #expect(h.notified == ["STATUS=startup", "STATUS=configure"], "the first check is out")
        for _ in 0..<500 where h.notified.count < 3 { try h.reactor.runOnce(maxWait: .milliseconds(10)) }
        #expect(h.notified == ["STATUS=startup", "STATUS=configure", "READY=1\nSTATUS=up"])
        #expect(h.kernel.maps.count == 1 && h.messages.last == "multipathd ready")
    }

    @Test func ueventsAreLoggedWithTheirWWIDAtDebug() throws {
        let h = try Harness()
        try h.daemon.start()
        h.udev.push(h.kernel.addPath("sdb", wwid: "3600a"))
        try h.pump()
        #expect(h.messages.contains("uevent add sdb \(h.kernel.paths["sdb"]!.devT) wwid 3600a"))
    }

    @Test func ueventsAreQuietBelowVerbosity3() throws {
        let h = try Harness(level: Logger.Level(verbosity: 2))
        try h.daemon.start()
        h.udev.push(h.kernel.addPath("sdb", wwid: "3600a"))
        try h.pump()
        #expect(!h.messages.contains { $0.hasPrefix("uevent") })
    }

    @Test func aFailedReceiveIsLoggedAndTheMonitorStays() throws {
        let h = try Harness()
        try h.daemon.start()
        h.udev.pushFailure(SystemError("udev_monitor_receive_device", Errno(rawValue: ENOBUFS)))
        h.udev.push(h.kernel.addPath("sdb", wwid: "3600a"))
        try h.pump()
        #expect(h.messages.contains("uevent lost: udev_monitor_receive_device: No buffer space available"))
        #expect(h.messages.contains { $0.hasPrefix("uevent add sdb") })
        #expect(h.reactor.stats.handlerFailures == 0)
    }

    @Test func sigtermStopsTheLoopInOrder() throws {
        let h = try Harness()
        try h.daemon.start()
        raise(SIGTERM)
        try h.daemon.run()
        #expect(h.notified.last == "STOPPING=1\nSTATUS=shutdown")
        #expect(h.messages.contains("SIGTERM: shutting down"))
        // Sources are gone: a uevent now wakes nobody.
        h.udev.push(h.kernel.addPath("sdb", wwid: "3600a"))
        try h.pump()
        #expect(!h.messages.contains { $0.hasPrefix("uevent") })
    }

    @Test func sigintStopsToo() throws {
        let h = try Harness()
        try h.daemon.start()
        raise(SIGINT)
        try h.daemon.run()
        #expect(h.messages.contains("SIGINT: shutting down"))
    }

    @Test func sighupAndSigusr1() throws {
        let h = try Harness()
        try h.daemon.start()
        raise(SIGHUP)
        raise(SIGUSR1)
        try h.pump()
        #expect(h.reopened == 1)
        #expect(h.messages.contains("SIGHUP: reconfigure"))
        #expect(h.messages.contains("reconfigure: this build has no configuration to reload; the running configuration stays"))
        #expect(Array(h.notified.suffix(2)) == ["RELOADING=1\nSTATUS=configure", "READY=1\nSTATUS=up"])
        #expect(h.messages.last == "SIGUSR1: log reopened")
    }
}

@Suite struct DaemonMainTests {
    func temporaryDirectory() -> String {
        var template = Array("/tmp/multipathd-test-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    @Test func noDeviceMapperSaysSoAndFails() {
        let dir = temporaryDirectory()
        defer { rmdir(dir) }
        let log = CapturingLogHandler()
        let status = DaemonMain.run(
            DaemonOptions(foreground: true, verbosity: 3), pidFilePath: dir + "/pid",
            dmControlPath: dir + "/control", handler: log, hardens: false)
        #expect(status == 1)
        #expect(
            log.lines.messages.last
                == "this kernel has no device-mapper (open \(dir)/control: No such file or directory); load dm_mod or use a kernel with device-mapper"
        )
        #expect(access(dir + "/pid", F_OK) != 0, "the pid file is removed on the way out")
    }

    @Test func secondInstanceRefuses() throws {
        let dir = temporaryDirectory()
        defer { rmdir(dir) }
        let held = try PidFile(path: dir + "/pid", pid: 1234)
        defer { held.remove() }
        let log = CapturingLogHandler()
        #expect(DaemonMain.run(DaemonOptions(), pidFilePath: dir + "/pid", handler: log, hardens: false) == 1)
        #expect(log.lines.messages.last == "another multipathd is running (pid 1234, \(dir)/pid is locked)")
    }

    @Test func ignoredFlagsAreWarned() {
        let dir = temporaryDirectory()
        defer { rmdir(dir) }
        let log = CapturingLogHandler()
        _ = DaemonMain.run(
            DaemonOptions(warnings: ["ignoring -n: x"]), pidFilePath: dir + "/pid", dmControlPath: dir + "/control", handler: log,
            hardens: false)
        #expect(log.lines.entries.contains { $0.level == .warning && $0.message == "ignoring -n: x" })
    }
}

@Suite struct DaemonLogHandlerTests {
    @Test(arguments: [(0, Logger.Level.error), (1, .notice), (2, .info), (3, .debug), (4, .trace)])
    func verbosityMapping(verbosity: Int, level: Logger.Level) {
        #expect(Logger.Level(verbosity: verbosity) == level)
    }

    /// A reconfigure sets the level once, through any copy: every logger made from the handler follows.
    @Test func copiesShareTheLevel() {
        let handler = DaemonLogHandler(destination: .standardError(timestamps: false), level: .info)
        let logger = Logger(label: "test") { _ in handler }
        var copy = handler
        copy.logLevel = .debug
        #expect(logger.logLevel == .debug && handler.logLevel == .debug)
    }

    @Test(arguments: [
        (UInt64(268_727_393_123), "268.727393 | hello"),
        (UInt64(5_000_001_000), "5.000001 | hello"),
        (UInt64(999), "0.000000 | hello")
    ])
    func timestamps(ns: UInt64, line: String) {
        #expect(DaemonLogHandler.timestamped("hello", at: Instant(nanoseconds: ns)) == line)
    }

    @Test(arguments: [
        (Logger.Level.trace, SystemLog.Priority.debug), (.debug, .debug), (.info, .info),
        (.notice, .notice), (.warning, .warning), (.error, .error), (.critical, .critical)
    ])
    func syslogPriorities(level: Logger.Level, priority: SystemLog.Priority) {
        #expect(DaemonLogHandler.priority(level) == priority)
    }
}
