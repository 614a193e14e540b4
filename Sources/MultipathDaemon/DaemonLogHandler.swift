import Logging
import MultipathCore
import MultipathSystem

extension Logger.Level {
    /// multipathd's `-v N`: 0 errors only, 1 warnings and notices, 2 information (the default),
    /// 3 debug (every uevent and DM event), 4 trace.
    public init(verbosity: Int) {
        switch verbosity {
        case ...0: self = .error
        case 1: self = .notice
        case 2: self = .info
        case 3: self = .debug
        default: self = .trace
        }
    }
}

/// The daemon's swift-log handler: one line per message to stderr (foreground, `-d`), prefixed with
/// the monotonic time unless `-s`, as multipath-tools does; or to syslog.
public struct DaemonLogHandler: LogHandler {
    public enum Destination: Sendable {
        case standardError(timestamps: Bool)
        case syslog
    }

    /// One level for every copy of the logger, so that a reconfigure's `verbosity` reaches them all.
    /// The daemon is single-threaded: only its loop logs and sets it.
    private final class SharedLevel: @unchecked Sendable {
        var level: Logger.Level
        init(_ level: Logger.Level) { self.level = level }
    }

    private let shared: SharedLevel
    public var logLevel: Logger.Level {
        get { shared.level }
        nonmutating set { shared.level = newValue }
    }
    public var metadata: Logger.Metadata = [:]
    public let destination: Destination

    public init(destination: Destination, level: Logger.Level) {
        self.destination = destination
        shared = SharedLevel(level)
        if case .syslog = destination { SystemLog.openSyslog() }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var text = "\(event.message)"
        let merged = event.metadata.map { metadata.merging($0) { $1 } } ?? metadata
        if !merged.isEmpty { text += " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
        switch destination {
        case .standardError(let timestamps):
            SystemLog.writeToStandardError(timestamps ? Self.timestamped(text, at: MonotonicClock().now) : text)
        case .syslog:
            SystemLog.syslog(Self.priority(event.level), text)
        }
    }

    /// SIGUSR1: reconnect to syslog (stderr needs nothing).
    public func reopen() {
        if case .syslog = destination { SystemLog.openSyslog() }
    }

    /// "268.727393 | message": seconds since boot with microseconds.
    public static func timestamped(_ message: String, at t: Instant) -> String {
        let micros = String((t.nanoseconds / 1000) % 1_000_000)
        return "\(t.nanoseconds / 1_000_000_000).\(String(repeating: "0", count: 6 - micros.count))\(micros) | \(message)"
    }

    public static func priority(_ level: Logger.Level) -> SystemLog.Priority {
        switch level {
        case .trace, .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        case .critical: .critical
        }
    }
}
