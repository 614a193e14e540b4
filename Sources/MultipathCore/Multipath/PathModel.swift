/// A path as the daemon keeps it, split three ways: what it is (identity, from udev; replaced only by a
/// `change` uevent), how it is (health, owned by the core), and how to treat it (resolved settings).
public struct MultipathPath: Sendable {
    public internal(set) var identity: PathIdentity
    public internal(set) var health: PathHealth
    public internal(set) var settings: PathChoice

    public var devT: DevT { identity.devT }
    public var name: String { identity.name }
}

/// The checker and prioritizer chosen for a path, with origins, and its checker timeout.
public struct PathChoice: Hashable, Sendable {
    public var checker: Resolved<String>
    public var prio: Resolved<String>
    public var prioArgs: String
    /// `checker_timeout`, else the device's SCSI timeout.
    public var checkerTimeout: Duration

    public init(checker: Resolved<String>, prio: Resolved<String>, prioArgs: String, checkerTimeout: Duration) {
        self.checker = checker
        self.prio = prio
        self.prioArgs = prioArgs
        self.checkerTimeout = checkerTimeout
    }

    /// 0.9.4's select_checker and select_prio: `detect_checker` makes an ALUA path (TPGS set) use `tur`,
    /// `detect_prio` makes it use `sysfs` when the kernel's alua handler shows its access state, else
    /// `alua`; both win over the configured value, as in 0.9.4. Otherwise the configured values apply.
    public static func select(_ path: PathIdentity, _ s: ResolvedPathSettings, hasAccessState: Bool,
                              checkerTimeout: Duration) -> PathChoice {
        var checker = s.pathChecker
        var prio = s.prio
        var args = s.prioArgs.value
        let autodetected = SettingOrigin.internalDefault
        if s.detectChecker.value, path.tpgs > 0 { checker = Resolved(value: "tur", origin: autodetected, location: nil) }
        if s.detectPrio.value, path.tpgs > 0 {
            prio = Resolved(value: hasAccessState ? "sysfs" : "alua", origin: autodetected, location: nil)
            args = ""
        }
        return PathChoice(checker: checker, prio: prio, prioArgs: args, checkerTimeout: checkerTimeout)
    }
}

/// The core's view of a path's health. `state` follows the checker (see `PathState`); `inTable` is
/// what the map's kernel table has for it, as far as the core knows (from its own messages and from
/// DM status after events).
public struct PathHealth: Hashable, Sendable {
    public internal(set) var state: PathState = .unchecked
    /// nil: in no map. true: active (`A`) in the kernel's table; false: failed (`F`).
    public internal(set) var inTable: Bool?
    /// The prioritizer's last answer; nil until it gives one.
    public internal(set) var priority: Int?
    /// The current checker interval: `polling_interval`, doubled while the path stays healthy, up to
    /// `max_polling_interval`; back to `polling_interval` on any change.
    public internal(set) var interval: Duration
    /// A checker command is out; no second one is sent until it ends (a dead target costs one command).
    public internal(set) var probing = false
    /// DM reported the path failed while a probe was out: probe again as soon as it ends.
    public internal(set) var recheck = false
    public internal(set) var lastChange: Instant
    /// `san_path_err_*`: failures counted, good checks since the last forgiven one, held back until.
    public internal(set) var sanFailures = 0
    public internal(set) var sanGoodChecks = 0
    public internal(set) var heldUntil: Instant?
    /// When find_multipaths first saw it (smart mode's clock).
    public internal(set) var firstSeen: Instant

    init(interval: Duration, now: Instant) {
        self.interval = interval
        lastChange = now
        firstSeen = now
    }
}
