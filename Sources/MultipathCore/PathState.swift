/// A path's state as the checker sees it. This list is the spec: each case says when it happens.
public enum PathState: String, Hashable, Sendable, CaseIterable {
    /// Never checked, or the checker could not run (no sg device, checker failed to start).
    case wild
    /// Known but not yet checked since it appeared or since the daemon started.
    case unchecked
    /// The checker says the path cannot do I/O (target unreachable, device offline, bad status).
    case down
    /// The checker says the path can do I/O.
    case up
    /// Up, but held back by the marginal-path logic (`san_path_err_*`) or `ghost_delay`.
    case shaky
    /// Up but passive: ALUA standby (NOT READY, 04/0B). Usable only when nothing better is.
    case ghost
    /// A check is in flight and no verdict is in yet, or the target reports transitioning (04/0A).
    case pending
    /// The check did not finish before `checker_timeout`.
    case timeout
    /// The device is gone (remove uevent); the path leaves its map.
    case removed
    /// Up, but reinstatement is delayed by `delay_wait_checks`/`san_path_err_recovery_time`.
    case delayed

    /// Whether a map may route I/O to a path in this state.
    public var isUsable: Bool {
        switch self {
        case .up, .ghost: true
        default: false
        }
    }
}
