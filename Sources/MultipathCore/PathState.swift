/// A path's state as the checker sees it. This list is the spec: each case says when it happens.
/// A check in flight is not a state: it is `PathHealth.probe`.
public enum PathState: String, Hashable, Sendable, CaseIterable {
    /// The checker could not run: the path could not be attached (no sg device), or its checker cannot
    /// work on it (`cciss_tur`).
    case wild
    /// Known but not yet checked since it appeared or since the daemon started.
    case unchecked
    /// The checker says the path cannot do I/O (target unreachable, device offline, bad status).
    case down
    /// The checker says the path can do I/O.
    case up
    /// The device answers but is not available for normal operations (`emc_clariion`'s unit path
    /// report). Not usable.
    case shaky
    /// Up but passive: ALUA standby (NOT READY, 04/0B). Usable only when nothing better is.
    case ghost
    /// The target reports an ALUA transition (04/0A): no verdict yet; only a path never checked takes
    /// this state, a checked one keeps its own until the next check.
    case pending
    /// The check did not finish before `checker_timeout`.
    case timeout
    /// Up, but held back for `san_path_err_recovery_time` after failing `san_path_err_threshold` times,
    /// unless it is the map's last usable path.
    case delayed

    /// Whether a map may route I/O to a path in this state.
    public var isUsable: Bool {
        switch self {
        case .up, .ghost: true
        default: false
        }
    }
}
