import Glibc

/// The open-file limit (`max_fds`). The daemon keeps an sg descriptor per path (and an O_DIRECT one
/// for directio and path_latency), so a thousand paths pass the soft limit of 1024 that systemd gives
/// services; like 0.9.4 it raises the limit at start.
public enum FileLimit {
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)

    /// The current soft and hard limits.
    public static func current() -> (soft: Int, hard: Int) {
        var r = rlimit()
        getrlimit(resource, &r)  // cannot fail for RLIMIT_NOFILE with a valid pointer
        return (Int(clamping: r.rlim_cur), Int(clamping: r.rlim_max))
    }

    /// Raises the soft limit to `target` (nil: the system's maximum, `fs.nr_open`), the hard limit with
    /// it when allowed (root), else to the hard limit. Never lowers. Returns the soft limit before and after.
    public static func raise(to target: Int?) -> (before: Int, after: Int) {
        let (soft, hard) = current()
        let wanted = target ?? TextFiles.read("/proc/sys/fs/nr_open").flatMap { Int($0.filter(\.isNumber)) } ?? hard
        guard wanted > soft else { return (soft, soft) }
        var r = rlimit(rlim_cur: rlim_t(wanted), rlim_max: rlim_t(max(hard, wanted)))
        if setrlimit(resource, &r) != 0 {
            r = rlimit(rlim_cur: rlim_t(min(wanted, hard)), rlim_max: rlim_t(hard))
            _ = setrlimit(resource, &r)
        }
        return (soft, current().soft)
    }
}
