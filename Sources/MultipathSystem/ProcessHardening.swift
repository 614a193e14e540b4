import Glibc

/// The system calls behind `StartupHardening`: memory locking, the OOM score and the scheduler of the
/// calling process.
public enum ProcessHardening {
    /// Locks every page the process has and will map (MCL_FUTURE), so that the daemon is never paged
    /// out (as root, CAP_IPC_LOCK lifts RLIMIT_MEMLOCK).
    public static func lockMemory() throws(SystemError) {
        _ = try valueOrErrno { mlockall(MCL_CURRENT | MCL_FUTURE) }.get("mlockall")
    }

    /// The hard RLIMIT_RTPRIO, and `sched_get_priority_max(SCHED_RR)` (nil if it failed).
    public static func realtimeLimits() -> (hard: UInt64, highest: Int32?) {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(__RLIMIT_RTPRIO.rawValue), &limit)  // cannot fail with a valid pointer
        let highest = sched_get_priority_max(SCHED_RR)
        return (UInt64(limit.rlim_max), highest > 0 ? highest : nil)
    }

    /// Moves the process to SCHED_RR at `priority`.
    public static func setRoundRobin(priority: Int32) throws(SystemError) {
        var parameter = sched_param(sched_priority: priority)
        _ = try valueOrErrno { sched_setscheduler(0, SCHED_RR, &parameter) }.get("sched_setscheduler SCHED_RR \(priority)")
    }

    /// Writes `value` to /proc/self/oom_score_adj (a proc attribute takes one write of its value, as sysfs).
    public static func setOOMScoreAdjust(_ value: Int) throws(SystemError) {
        try Sysfs(root: "/proc/self").writeValue("oom_score_adj", "\(value)")
    }

    /// 0.9.4's sign that the unit sets `OOMScoreAdjust`: an environment variable of that name.
    public static var systemdSetsOOMScore: Bool { getenv("OOMScoreAdjust") != nil }
}
