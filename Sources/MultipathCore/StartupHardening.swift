/// What the daemon asks of the kernel at start so that it keeps running when the machine is short of
/// memory or CPU: it may be the only way back for the very I/O that memory reclaim waits on. Memory is
/// always locked (`mlockall`, as 0.9.4); these are the two settings that depend on the environment.
public struct StartupHardening: Equatable, Sendable {
    /// The OOM killer's lowest score adjustment: the process is never chosen.
    public static let neverOOMKilled = -1000

    /// The value for `/proc/self/oom_score_adj`; nil when systemd's `OOMScoreAdjust` is in force.
    public var oomScoreAdjust: Int?
    /// The SCHED_RR priority; nil keeps the normal scheduler.
    public var realtimePriority: Int32?

    /// - Parameters:
    ///   - systemdSetsOOMScore: the environment has `OOMScoreAdjust` (0.9.4's test for a unit that sets it).
    ///   - realtimeLimit: the hard `RLIMIT_RTPRIO` (`RLIM_INFINITY` is `UInt64.max`).
    ///   - highestRoundRobinPriority: `sched_get_priority_max(SCHED_RR)`, nil if it failed.
    public init(systemdSetsOOMScore: Bool, realtimeLimit: UInt64, highestRoundRobinPriority: Int32?) {
        oomScoreAdjust = systemdSetsOOMScore ? nil : Self.neverOOMKilled
        // As 0.9.9 and later: the hard limit is what the administrator (or the unit's LimitRTPRIO) allows;
        // 0 means no realtime scheduling at all, and more than the scheduler's maximum is capped there.
        guard realtimeLimit > 0 else { return }
        let allowed = Int32(clamping: realtimeLimit)
        if let highest = highestRoundRobinPriority, highest > 0 {
            realtimePriority = min(allowed, highest)
        } else {
            realtimePriority = allowed
        }
    }
}
