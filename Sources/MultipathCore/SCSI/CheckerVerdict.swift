/// A checker's conclusion about one path, with the reason for the log.
public struct CheckerVerdict: Hashable, Sendable, CustomStringConvertible {
    public var state: PathState
    public var reason: String
    /// Whether the device's sysfs `state` read offline (`offline`, `transport-offline`, an NVMe
    /// controller's `dead`), when the checker read it: `show`'s `dev_st`, as last seen (0.9.4's
    /// `pp->offline`). nil: the checker did not look.
    public var deviceOffline: Bool?

    public init(_ state: PathState, _ reason: String, deviceOffline: Bool? = nil) {
        self.state = state
        self.reason = reason
        self.deviceOffline = deviceOffline
    }

    public var description: String { "\(state.rawValue): \(reason)" }
}

/// One command's outcome, read by a checker: either a verdict, or "send it again" (bounded by the caller).
public enum Interpretation: Hashable, Sendable {
    case verdict(CheckerVerdict)
    case retry(String)
}

/// Turns command outcomes into path states. Pure: the same rules run under the real kernel and under fakes.
///
/// The rules follow multipath-tools 0.9.4's tur checker, with two deliberate differences asked for by this
/// project: NOT READY 04/0A (ALUA transitioning) is `pending` instead of `down`, and RESERVATION CONFLICT is
/// `up` (the path works; another initiator holds the reservation).
public enum CommandInterpreter {
    /// The tur checker tries a command this many times before a retryable condition becomes `down`.
    public static let maxAttempts = 5

    /// `name` is the command for the log ("TUR", "READ(10)").
    public static func interpret(_ outcome: CommandOutcome, command name: String) -> Interpretation {
        switch outcome {
        case .timedOut:
            return .verdict(CheckerVerdict(.timeout, "\(name) timed out"))
        case .deviceGone(let why):
            return .verdict(CheckerVerdict(.down, "path offline (\(why))"))
        case .failed(let why):
            return .verdict(CheckerVerdict(.down, "\(name) could not run: \(why)"))
        case .completed(let r):
            return interpret(r, command: name)
        }
    }

    public static func interpret(_ r: SCSIResult, command name: String) -> Interpretation {
        switch r.hostStatus {
        case HostStatus.ok:
            break
        case HostStatus.timeOut:
            return .verdict(CheckerVerdict(.timeout, "\(name) timed out in the kernel (DID_TIME_OUT)"))
        case HostStatus.noConnect, HostStatus.badTarget, HostStatus.abort, HostStatus.transportFailfast:
            return .verdict(CheckerVerdict(.down, "\(name) failed: \(HostStatus.name(r.hostStatus))"))
        default:
            // Transport hiccups (bus busy, reset, soft error, disrupted...): the tur checker retries these.
            return .retry("\(name) failed: \(HostStatus.name(r.hostStatus))")
        }
        if r.driverStatus & 0x0f == 0x06 {  // DRIVER_TIMEOUT
            return .verdict(CheckerVerdict(.timeout, "\(name) timed out in the driver (DRIVER_TIMEOUT)"))
        }
        let status = r.status & 0x7e  // bit 0 is vendor specific in old devices: mask it as sg's masked_status does
        let driver = r.driverStatus & 0x0f
        if status == 0x02 || status == 0x22 || driver == 0x08 {  // CHECK CONDITION, COMMAND TERMINATED, DRIVER_SENSE
            guard let s = Sense(r.sense) else {
                return .verdict(CheckerVerdict(.down, "\(name) failed: CHECK CONDITION without sense data"))
            }
            return interpret(s, command: name)
        }
        switch status {
        case 0x00, 0x04:  // GOOD, CONDITION MET
            if driver == 0 { return .verdict(CheckerVerdict(.up, "\(name) good")) }
            return .verdict(CheckerVerdict(.down, "\(name) failed: driver status 0x\(hex(UInt8(truncatingIfNeeded: r.driverStatus)))"))
        case 0x18:
            return .verdict(CheckerVerdict(.up, "\(name) got RESERVATION CONFLICT: path is usable, reserved by another initiator"))
        case 0x08:
            return .retry("\(name) got BUSY")
        case 0x28:
            return .retry("\(name) got TASK SET FULL")
        default:
            return .verdict(CheckerVerdict(.down, "\(name) failed: status 0x\(hex(r.status))"))
        }
    }

    public static func interpret(_ s: Sense, command name: String) -> Interpretation {
        switch (s.key, s.asc, s.ascq) {
        case (Sense.recoveredError, _, _):
            return .verdict(CheckerVerdict(.up, "\(name) good (recovered error \(s))"))
        case (Sense.unitAttention, _, _):
            return .retry("\(name) got UNIT ATTENTION \(s)")
        case (Sense.notReady, 0x04, 0x0b):
            return .verdict(CheckerVerdict(.ghost, "\(name) failed with sense \(s): ALUA standby"))
        case (Sense.notReady, 0x04, 0x0a):
            return .verdict(CheckerVerdict(.pending, "\(name) failed with sense \(s): ALUA state transition"))
        case (Sense.notReady, 0x04, 0x0c):
            return .verdict(CheckerVerdict(.down, "\(name) failed with sense \(s): ALUA unavailable"))
        default:
            return .verdict(CheckerVerdict(.down, "\(name) failed with sense \(s)"))
        }
    }

    /// The verdict for attempt number `attempt` (1-based): a retry on the last allowed attempt becomes `down`.
    public static func settle(_ i: Interpretation, attempt: Int) -> CheckerVerdict? {
        switch i {
        case .verdict(let v): return v
        case .retry(let why): return attempt >= maxAttempts ? CheckerVerdict(.down, "\(why), \(attempt) attempts") : nil
        }
    }
}

extension CheckerVerdict {
    /// What 0.9.4's `none` checker reports: only its path_offline test of the SCSI device's sysfs
    /// `state`. `running` is up; `blocked` and `quiesce` are pending (the kernel holds I/O for a while);
    /// `offline`, any other state and a state that cannot be read are down.
    /// `source` names who looked, for the reason: the `none` checker, or the test that precedes the
    /// checker of a failing path.
    public static func scsiDeviceState(_ state: String?, source: String = "checker none") -> CheckerVerdict {
        switch state {
        case "running": CheckerVerdict(.up, "\(source): device running", deviceOffline: false)
        case "blocked", "quiesce": CheckerVerdict(.pending, "\(source): device \(state!)", deviceOffline: false)
        case let s?: CheckerVerdict(.down, "\(source): device \(s)", deviceOffline: s == "offline" || s == "transport-offline")
        case nil: CheckerVerdict(.down, "\(source): device state unreadable")
        }
    }

    /// The same test for an NVMe namespace, on its controller's `state` (0.9.4's path_offline, which
    /// compares prefixes): `live` is up; `new` and `deleting` (with or without `(no IO)`) are pending;
    /// `dead`, `connecting`, `resetting`, any other state and an unreadable one are down.
    public static func nvmeControllerState(_ state: String?) -> CheckerVerdict {
        guard let state else { return CheckerVerdict(.down, "checker none: controller state unreadable") }
        if state.hasPrefix("live") { return CheckerVerdict(.up, "checker none: controller \(state)", deviceOffline: false) }
        if state.hasPrefix("new") || state.hasPrefix("deleting") {
            return CheckerVerdict(.pending, "checker none: controller \(state)", deviceOffline: false)
        }
        return CheckerVerdict(.down, "checker none: controller \(state)", deviceOffline: state.hasPrefix("dead"))
    }
}
