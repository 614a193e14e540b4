import Glibc
import Logging
import MultipathCore
import MultipathDaemon
import MultipathReactor
import MultipathSystem
import MultipathTestKit
import Testing

/// The daemon wired to fakes and a real reactor; `pump()` runs the loop until it has nothing to do.
final class Harness {
    let udev = FakeUeventSource()
    let dm: FakeDMEventSource
    let log: CapturingLogHandler
    let reactor: Reactor
    let daemon: Daemon
    var notified: [String] = []
    var reopened = 0

    init(devices: [DMDevice] = [], level: Logger.Level = .debug) throws {
        dm = FakeDMEventSource(devices: devices)
        log = CapturingLogHandler(level: level)
        reactor = try Reactor()
        var notify: (String) -> Void = { _ in }
        var reopen: () -> Void = {}
        daemon = Daemon(reactor: reactor, logger: log.logger, udev: udev, dm: dm,
                        notify: { notify($0) }, reopenLog: { reopen() })
        notify = { [unowned self] in notified.append($0) }
        reopen = { [unowned self] in reopened += 1 }
    }

    func pump() throws {
        for _ in 0..<10 { try reactor.runOnce(maxWait: .zero) }
    }

    var messages: [String] { log.lines.messages }
}

let mpatha = DMDevice(name: "mpatha", devT: DevT(major: 253, minor: 0), eventNumber: 4, uuid: "mpath-1Linux_scsi_debug_2000")
let zero = DMDevice(name: "labzero", devT: DevT(major: 253, minor: 1), eventNumber: 0)

func disk(_ name: String, _ minor: UInt32, action: Uevent.Action = .add) -> Uevent {
    Uevent(action: action, sysname: name, devnode: "/dev/\(name)", devnum: DevT(major: 8, minor: minor),
           properties: [("DEVTYPE", "disk"), ("ID_SERIAL", "1Linux_scsi_debug_2000")])
}

@Suite struct DaemonTests {
    @Test func startTakesTheInventoryArmsAndReportsReady() throws {
        let h = try Harness(devices: [mpatha])
        try h.daemon.start()
        #expect(h.dm.armCount == 1 && h.dm.listCount == 1)
        #expect(h.notified == ["READY=1\nSTATUS=running"])
        #expect(h.messages == [
            "dm device at start: mpatha (253:0) appeared, event 4",
            "1 device-mapper devices at start",
            "multipathd ready",
        ])
    }

    @Test func ueventsAreLoggedWithTheirWWIDAtDebug() throws {
        let h = try Harness()
        try h.daemon.start()
        h.udev.push(disk("sdb", 16))
        h.udev.push(disk("sdc", 32))
        h.udev.push(Uevent(action: .change, sysname: "dm-0", devnum: DevT(major: 253, minor: 0)))
        try h.pump()
        #expect(Array(h.messages.suffix(3)) == [
            "uevent add sdb 8:16 wwid 1Linux_scsi_debug_2000",
            "uevent add sdc 8:32 wwid 1Linux_scsi_debug_2000",
            "uevent change dm-0 253:0 wwid -",
        ])
    }

    @Test func ueventsAreQuietBelowVerbosity3() throws {
        let h = try Harness(level: Logger.Level(verbosity: 2))
        try h.daemon.start()
        h.udev.push(disk("sdb", 16))
        try h.pump()
        #expect(!h.messages.contains { $0.hasPrefix("uevent") })
    }

    @Test func aUeventStormIsSpreadOverTurns() throws {
        let h = try Harness()
        try h.daemon.start()
        for i in 0..<100 { h.udev.push(disk("sd\(i)", UInt32(i) * 16)) }
        try h.reactor.runOnce(maxWait: .zero)
        #expect(h.messages.filter { $0.hasPrefix("uevent") }.count == 64)
        try h.reactor.runOnce(maxWait: .zero)
        #expect(h.messages.filter { $0.hasPrefix("uevent") }.count == 100)
    }

    @Test func aFailedReceiveIsLoggedAndTheMonitorStays() throws {
        let h = try Harness()
        try h.daemon.start()
        h.udev.pushFailure(SystemError("udev_monitor_receive_device", Errno(rawValue: ENOBUFS)))
        h.udev.push(disk("sdb", 16))
        try h.pump()
        #expect(h.messages.contains("uevent lost: udev_monitor_receive_device: No buffer space available"))
        #expect(h.messages.last == "uevent add sdb 8:16 wwid 1Linux_scsi_debug_2000")
        #expect(h.reactor.stats.handlersDisabled == 0)
    }

    @Test func dmEventRearmsAndLogsOnlyWhatChanged() throws {
        let h = try Harness(devices: [mpatha])
        try h.daemon.start()
        h.dm.devices = [DMDevice(name: "mpatha", devT: mpatha.devT, eventNumber: 5, uuid: mpatha.uuid), zero]
        h.dm.event()
        try h.pump()
        #expect(h.dm.armCount == 2)
        #expect(Array(h.messages.suffix(2)) == ["dm event: mpatha (253:0) event 4 -> 5", "dm event: labzero (253:1) appeared, event 0"])
        h.dm.event()
        try h.pump()
        #expect(h.dm.armCount == 3)
        #expect(h.messages.last == "dm event: no device changed")
    }

    @Test func sigtermStopsTheLoopInOrder() throws {
        let h = try Harness()
        try h.daemon.start()
        raise(SIGTERM)
        try h.daemon.run()
        #expect(h.notified.last == "STOPPING=1")
        #expect(h.messages.last == "SIGTERM: shutting down")
        // Sources are gone: a uevent now wakes nobody.
        h.udev.push(disk("sdb", 16))
        try h.pump()
        #expect(!h.messages.contains { $0.hasPrefix("uevent") })
    }

    @Test func sigintStopsToo() throws {
        let h = try Harness()
        try h.daemon.start()
        raise(SIGINT)
        try h.daemon.run()
        #expect(h.messages.last == "SIGINT: shutting down")
    }

    @Test func sighupAndSigusr1() throws {
        let h = try Harness()
        try h.daemon.start()
        raise(SIGHUP)
        raise(SIGUSR1)
        try h.pump()
        #expect(h.reopened == 1)
        #expect(h.messages.contains("SIGHUP: reconfigure requested (configuration reload is not implemented yet)"))
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
        let status = DaemonMain.run(DaemonOptions(foreground: true, verbosity: 3), pidFilePath: dir + "/pid",
                                    dmControlPath: dir + "/control", handler: log)
        #expect(status == 1)
        #expect(log.lines.messages.last == "this kernel has no device-mapper (open \(dir)/control: No such file or directory); load dm_mod or use a kernel with device-mapper")
        #expect(access(dir + "/pid", F_OK) != 0, "the pid file is removed on the way out")
    }

    @Test func secondInstanceRefuses() throws {
        let dir = temporaryDirectory()
        defer { rmdir(dir) }
        let held = try PidFile(path: dir + "/pid", pid: 1234)
        defer { held.remove() }
        let log = CapturingLogHandler()
        #expect(DaemonMain.run(DaemonOptions(), pidFilePath: dir + "/pid", handler: log) == 1)
        #expect(log.lines.messages.last == "another multipathd is running (pid 1234, \(dir)/pid is locked)")
    }

    @Test func ignoredFlagsAreWarned() {
        let dir = temporaryDirectory()
        defer { rmdir(dir) }
        let log = CapturingLogHandler()
        _ = DaemonMain.run(DaemonOptions(warnings: ["ignoring -n: x"]), pidFilePath: dir + "/pid", dmControlPath: dir + "/control", handler: log)
        #expect(log.lines.entries.contains { $0.level == .warning && $0.message == "ignoring -n: x" })
    }
}

@Suite struct DaemonLogHandlerTests {
    @Test(arguments: [(0, Logger.Level.error), (1, .notice), (2, .info), (3, .debug), (4, .trace)])
    func verbosityMapping(verbosity: Int, level: Logger.Level) {
        #expect(Logger.Level(verbosity: verbosity) == level)
    }

    @Test(arguments: [
        (UInt64(268_727_393_123), "268.727393 | hello"),
        (UInt64(5_000_001_000), "5.000001 | hello"),
        (UInt64(999), "0.000000 | hello"),
    ])
    func timestamps(ns: UInt64, line: String) {
        #expect(DaemonLogHandler.timestamped("hello", at: Instant(nanoseconds: ns)) == line)
    }

    @Test(arguments: [(Logger.Level.trace, SystemLog.Priority.debug), (.debug, .debug), (.info, .info),
                      (.notice, .notice), (.warning, .warning), (.error, .error), (.critical, .critical)])
    func syslogPriorities(level: Logger.Level, priority: SystemLog.Priority) {
        #expect(DaemonLogHandler.priority(level) == priority)
    }
}
