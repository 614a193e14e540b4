import Glibc

/// The daemon's two log destinations: stderr (foreground) and syslog.
public enum SystemLog {
    /// syslog(3) priorities.
    public enum Priority: Int32, Sendable {
        case critical = 2, error = 3, warning = 4, notice = 5, info = 6, debug = 7
    }

    /// One write per line, so that lines from a crash or from other writers never interleave mid-line.
    public static func writeToStandardError(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        _ = bytes.withUnsafeBytes { b in valueOrErrno { Glibc.write(2, b.baseAddress, b.count) } }
    }

    /// Opens (or, for SIGUSR1, reopens) the connection to syslog as "multipathd[pid]", facility daemon.
    public static func openSyslog() {
        closelog()
        openlog(nil, LOG_PID | LOG_NDELAY, LOG_DAEMON)
    }

    public static func syslog(_ priority: Priority, _ message: String) {
        message.withCString { m in withVaList([m]) { vsyslog(priority.rawValue, "%s", $0) } }
    }
}
