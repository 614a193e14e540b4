import MultipathSystem

/// What the loop does when a source's handler throws. Every source that can fail states one, so that
/// none goes quiet: it comes back, it is given up on purpose, or the daemon stops.
public enum SourceFailurePolicy {
    /// Logs, takes the source out of epoll and calls its handler again after a backoff that doubles
    /// from `initial` up to `max` while it keeps failing (a level-triggered fd that stays ready would
    /// otherwise spin); one success resets the backoff. For sources the daemon cannot do without.
    case retry(initial: Duration, max: Duration)
    /// Logs, deregisters the source and runs `cleanup` with the error (a path's device marked gone, so
    /// that the next attach opens it afresh).
    case deregister(cleanup: (any Error) -> Void)
    /// Logs and ends `run()` with `ReactorError.sourceFailed`, so the process exits non-zero and its
    /// supervisor (systemd's `Restart=`) starts it again.
    case stop
}

/// Why `run()` ended other than by `stop()`.
public enum ReactorError: Error, CustomStringConvertible {
    case system(SystemError)
    case sourceFailed(source: String, error: String)

    public var description: String {
        switch self {
        case .system(let e): return "\(e)"
        case .sourceFailed(let source, let error): return "\(source) failed: \(error); the loop stopped"
        }
    }
}
