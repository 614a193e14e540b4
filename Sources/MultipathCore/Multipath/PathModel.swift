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
    public var checker: Resolved<CheckerKind>
    public var prio: Resolved<PrioritizerKind>
    public var prioArgs: String
    /// `checker_timeout`, else the device's SCSI timeout.
    public var checkerTimeout: Duration
    /// What its transport's timeouts are set to when its map is built.
    public var timeouts: TransportTimeouts
    /// `recheck_wwid`, where 0.9.4 allows it: the WWID is read from the device again when the path
    /// comes back (SCSI paths whose WWID is `ID_SERIAL` or the device's own).
    public var recheckWWID: Bool
    /// `detect_prio` chose `ana` for an NVMe path before its controller was asked: what the path uses
    /// if Identify Controller says it reports no ANA (0.9.4 asks first, then keeps the configured prio).
    public var prioWithoutANA: Fallback?

    public struct Fallback: Hashable, Sendable {
        public var prio: Resolved<PrioritizerKind>
        public var args: String
    }

    public init(
        checker: Resolved<CheckerKind>, prio: Resolved<PrioritizerKind>, prioArgs: String, checkerTimeout: Duration,
        timeouts: TransportTimeouts = TransportTimeouts(), recheckWWID: Bool = false, prioWithoutANA: Fallback? = nil
    ) {
        self.checker = checker
        self.prio = prio
        self.prioArgs = prioArgs
        self.checkerTimeout = checkerTimeout
        self.timeouts = timeouts
        self.recheckWWID = recheckWWID
        self.prioWithoutANA = prioWithoutANA
    }

    /// 0.9.4's select_checker and select_prio: `detect_checker` makes an ALUA path (TPGS set) use `tur`,
    /// `detect_prio` makes it use `sysfs` when the kernel's alua handler shows its access state, else
    /// `alua`; both win over the configured value, as in 0.9.4. Otherwise the configured values apply,
    /// but `alua` on a path that is not SCSI (no TPGS to ask for) is `const`, as 0.9.4 falls back.
    /// On an NVMe path `detect_prio` picks `ana`: 0.9.4 first asks the controller (Identify Controller,
    /// CMIC) whether it reports ANA, which here is a command on the loop, so the answer comes when the
    /// prioritizer runs, and a controller without ANA then gets the configured prio (`prioWithoutANA`).
    public static func select(
        _ path: PathIdentity, _ s: ResolvedPathSettings, hasAccessState: Bool,
        checkerTimeout: Duration
    ) -> PathChoice {
        var checker = s.pathChecker
        var prio = s.prio
        var args = s.prioArgs.value
        let autodetected = SettingOrigin.internalDefault
        if s.detectChecker.value, path.tpgs > 0 { checker = Resolved(value: .tur, origin: autodetected, location: nil) }
        if s.detectPrio.value, path.tpgs > 0 {
            prio = Resolved(value: hasAccessState ? .sysfs : .alua, origin: autodetected, location: nil)
            args = ""
        }
        // Whether the device may answer a SCSI INQUIRY (not NVMe, DASD or cciss; a device of unknown
        // transport may): where alua can ask for TPGS, and 0.9.4's select_recheck_wwid reads the WWID.
        let inquirable = !path.transport.isNVMe && path.transport != .ccw && path.transport != .cciss
        if prio.value == .alua, !inquirable {
            prio = Resolved(value: .const, origin: .aluaFallback, location: nil)
            args = ""
        }
        let recheck = s.recheckWWID.value && inquirable && ["ID_SERIAL", ""].contains(s.uidAttribute.value)
        var withoutANA: Fallback?
        if s.detectPrio.value, path.transport.isNVMe {
            withoutANA = Fallback(prio: prio, args: args)
            prio = Resolved(value: .ana, origin: autodetected, location: nil)
            args = ""
        }
        return PathChoice(
            checker: checker, prio: prio, prioArgs: args, checkerTimeout: checkerTimeout,
            timeouts: TransportTimeouts(fastIOFail: s.fastIOFailTimeout, devLoss: s.devLossTimeout, ehDeadline: s.ehDeadline),
            recheckWWID: recheck, prioWithoutANA: withoutANA)
    }
}

/// What a map's kernel table has for a path, as far as the core knows (from its own messages and from
/// DM status after events).
public enum TableMembership: Hashable, Sendable {
    /// In no loaded table.
    case absent
    /// Active (`A`) in the kernel's table.
    case active
    /// Failed (`F`) in the kernel's table.
    case failed

    /// As `show paths` prints `dm_st`: nil in no map, else whether active.
    public var isActive: Bool? {
        switch self {
        case .absent: nil
        case .active: true
        case .failed: false
        }
    }

    init(active: Bool?) { self = active.map { $0 ? .active : .failed } ?? .absent }
}

/// Whether a checker command is out for a path (one at a time: a dead target costs one command).
public enum ProbeState: Hashable, Sendable {
    case idle
    case inFlight
    /// In flight, and DM reported the path failed meanwhile: probe again as soon as it ends.
    case inFlightRecheck

    public var isInFlight: Bool { self != .idle }
}

/// The core's view of a path's health. `state` follows the checker (see `PathState`); `membership` is
/// what the map's kernel table has for it.
public struct PathHealth: Hashable, Sendable {
    public internal(set) var state: PathState = .unchecked
    public internal(set) var membership = TableMembership.absent
    /// The prioritizer's last answer; nil until it gives one.
    public internal(set) var priority: Int?
    /// The current checker interval: `polling_interval`, doubled while the path stays healthy, up to
    /// `max_polling_interval`; back to `polling_interval` on any change.
    public internal(set) var interval: Duration
    public internal(set) var probe = ProbeState.idle
    public internal(set) var lastChange: Instant
    /// `san_path_err_*`: failures counted, good checks since the last forgiven one, held back until.
    public internal(set) var sanFailures = 0
    public internal(set) var sanGoodChecks = 0
    public internal(set) var heldUntil: Instant?
    /// When its checker's error was last logged (`log_checker_err`).
    var errorLoggedAt: Instant?
    /// When find_multipaths first saw it (smart mode's clock).
    public internal(set) var firstSeen: Instant
    /// Times the core failed it in its map (checker verdict or the kernel's report): path wildcard %0.
    public internal(set) var failures = 0
    /// From a check's issue to its verdict.
    public internal(set) var checkLatency = LatencyHistogram()
    /// While failed in its map: when the first check that found it usable again was issued.
    var usableSince: Instant?
    /// The device's sysfs state read offline at the last check that read it (`show`'s `dev_st`).
    public internal(set) var deviceOffline = false

    init(interval: Duration, now: Instant) {
        self.interval = interval
        lastChange = now
        firstSeen = now
    }
}

/// A map's counters: 0.9.4's (map wildcards %0 to %4 and %x, zeroed by `reset map(s) stats`) and our
/// failover and reinstate latencies (`show stats json`; docs/stats.md says what each one measures).
public struct MapStats: Hashable, Sendable {
    /// Paths of the map the core failed (checker verdict or the kernel's report).
    public internal(set) var pathFaults = 0
    /// Path group switches the daemon made (failback).
    public internal(set) var switchGroups = 0
    /// Tables loaded (create and reload).
    public internal(set) var mapLoads = 0
    /// `no_path_retry N` countdowns that ran out (queueing turned off).
    public internal(set) var queueingTimeouts = 0
    /// Times the map lost its last usable path while not queueing.
    public internal(set) var mapFailures = 0
    /// Time spent queueing with no usable path under `no_path_retry N`, finished countdowns only.
    var queueingTime = Duration.zero
    var queueingSince: Instant?
    /// From a failure to the map being on a usable path again.
    public internal(set) var failover = LatencyHistogram()
    /// From the first check that found a failed path usable to its reinstatement.
    public internal(set) var reinstate = LatencyHistogram()
    /// A failover not yet ended: when it began.
    var failoverSince: Instant?

    public init() {}

    /// Whole seconds spent queueing under `no_path_retry N` (%3), a countdown still running included.
    public func totalQueueingSeconds(now: Instant) -> Int {
        let running = queueingSince.map { now - $0 } ?? .zero
        return Int((queueingTime + running).nanosecondsClamped / 1_000_000_000)
    }

    /// One of the map's paths was failed; a failover begins unless one is under way.
    mutating func pathFailed(at start: Instant) {
        pathFaults += 1
        if failoverSince == nil { failoverSince = start }
    }

    mutating func queueing(_ on: Bool, now: Instant) {
        if on {
            if queueingSince == nil { queueingSince = now }
        } else if let since = queueingSince {
            queueingTime += now - since
            queueingSince = nil
        }
    }

    /// `reset map M stats`: every counter and histogram back to zero; a countdown or failover under way
    /// keeps running from now.
    mutating func reset(now: Instant) {
        let (queueing, failing) = (queueingSince != nil, failoverSince != nil)
        self = MapStats()
        if queueing { queueingSince = now }
        if failing { failoverSince = now }
    }
}

/// Why a path seen is not multipathed. `description` is the text logs and `show` print.
public enum OrphanReason: Hashable, Sendable, CustomStringConvertible {
    case blacklisted(BlacklistCriterion, rule: String)
    /// The device has its `uid_attribute` but none of the whitelisted udev properties.
    case missingUdevProperty
    case noWWID
    /// find_multipaths refused it.
    case notMultipathed(FindMultipathsMode)
    /// Smart find_multipaths holds it until then, for a second path of its WWID.
    case waitingForSecondPath(until: Instant)
    /// udev set the device up without its `uid_attribute`: a change uevent asks again, soon.
    case udevIncomplete(retriggers: Int)
    /// A USB disk, and `allow_usb_devices` is `no` (0.9.4's pathinfo skips it).
    case usbDevice
    /// `recheck_wwid`: the device answered with another WWID when the path came back; udev is asked to
    /// add it again, under the WWID it reads then.
    case wwidChanged(from: String, to: String)
    /// Its size differs from its map's (or from the first path of its WWID): 0.9.4 never feeds DM a
    /// table whose paths disagree on the size.
    case sizeMismatch(map: String, sectors: UInt64, expected: UInt64)

    /// Refused by the blacklist (or skipped as a USB disk): 0.9.4 does not keep such paths at all
    /// (`show` leaves them out, `add path` answers `blacklisted`).
    public var isBlacklisted: Bool {
        switch self {
        case .blacklisted, .missingUdevProperty, .usbDevice: true
        case .noWWID, .notMultipathed, .waitingForSecondPath, .udevIncomplete, .wwidChanged, .sizeMismatch: false
        }
    }

    public var description: String {
        switch self {
        case .blacklisted(let by, let rule): "blacklisted by \(by.rawValue) \"\(rule)\""
        case .missingUdevProperty: "blacklisted, udev property missing"
        case .noWWID: "no WWID"
        case .notMultipathed(let mode): "not multipathed (find_multipaths \(mode.rawValue))"
        case .waitingForSecondPath(let t): "waiting for a second path until \(t) (find_multipaths smart)"
        case .udevIncomplete(let n): "udev did not set its uid_attribute (\(n) change uevents so far)"
        case .usbDevice: "skip USB device (allow_usb_devices is no)"
        case .wwidChanged(let from, let to): "path wwid change detected (\(from) -> \(to)), removed until udev adds it again"
        case .sizeMismatch(let map, let sectors, let expected):
            "not added to \(map), device size mismatch: \(sectors) sectors, the map has \(expected)"
        }
    }
}
