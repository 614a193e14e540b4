import Glibc
import Logging
import MultipathCore
import MultipathDaemon
import MultipathReactor
import MultipathSystem
import MultipathTestKit
import Testing

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
