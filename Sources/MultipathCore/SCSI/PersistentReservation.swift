/// SCSI-3 persistent reservations (SPC-4 6.16, 6.17) as far as the daemon uses them: read the keys
/// registered on a LUN, and register the map's key on one more path (I_T nexus), as 0.9.4's
/// mpath_pr_event_handler_fn and update_map_pr do for mpathpersist's reservations.
public enum PersistentReservation {
    /// PERSISTENT RESERVE IN (0x5E), READ KEYS: 0.9.4 asks for 8192 bytes (MPATH_MAX_PARAM_LEN).
    public static let readKeys = SCSICommand(
        cdb: [0x5E, 0x00, 0, 0, 0, 0, 0, 0x20, 0x00, 0], direction: .fromDevice(count: 8192), name: "PR IN READ KEYS")

    /// PERSISTENT RESERVE OUT (0x5F), REGISTER AND IGNORE EXISTING KEY (0x06), scope and type 0, with
    /// the 24-byte parameter list: reservation key 0, service action key `key`, APTPL from the key's
    /// flag (0.9.4 sends its map's sa_flags, which hold only APTPL), no transport IDs.
    public static func registerAndIgnoreExistingKey(_ key: PRKey) -> SCSICommand {
        var parameters = [UInt8](repeating: 0, count: 24)
        for i in 0..<8 { parameters[8 + i] = UInt8(truncatingIfNeeded: key.value >> UInt64(56 - 8 * i)) }
        parameters[20] = key.aptpl ? 0x01 : 0x00
        return SCSICommand(
            cdb: [0x5F, 0x06, 0x00, 0, 0, 0, 0, 0x00, 24, 0], direction: .toDevice(parameters),
            name: "PR OUT REGISTER AND IGNORE EXISTING KEY")
    }

    /// The keys of a READ KEYS answer (PRGENERATION, ADDITIONAL LENGTH, then 8 bytes per key); nil
    /// when the header is missing. A list cut short by the transfer keeps its whole keys.
    public static func keys(inReadKeys data: [UInt8]) -> [UInt64]? {
        guard data.count >= 8 else { return nil }
        let length = Int(data[4]) << 24 | Int(data[5]) << 16 | Int(data[6]) << 8 | Int(data[7])
        let end = min(data.count, 8 + length)
        return stride(from: 8, to: end - 7, by: 8).map { start in
            data[start..<start + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }
    }

    /// What to do with a PR command's outcome, as 0.9.4's mpath_translate_response and its retries:
    /// UNIT ATTENTION and NOT READY 04/07 (operation in progress) are sent again, at most 5 times.
    public enum Step: Hashable, Sendable {
        case done(SCSIResult)
        case sendAgain
        case failed(String)
    }

    public static let maxRetries = 5

    public static func step(_ outcome: CommandOutcome, retriesLeft: Int) -> Step {
        let r: SCSIResult
        switch outcome {
        case .completed(let result): r = result
        case .timedOut: return .failed("timed out")
        case .deviceGone(let why), .failed(let why): return .failed(why)
        }
        if r.isGood { return .done(r) }
        switch r.status & 0x7e {
        case 0x18:
            return .failed("RESERVATION CONFLICT")
        case 0x02:
            guard let s = Sense(r.sense) else { return .failed("CHECK CONDITION without sense data") }
            if s.key == 0x01 { return .done(r) }  // RECOVERED ERROR: 0.9.4 counts it a success
            let again = s.key == 0x06 || (s.key == 0x02 && s.asc == 0x04 && s.ascq == 0x07)
            return again && retriesLeft > 0 ? .sendAgain : .failed("sense \(s)")
        case 0x00:
            return .failed("\(HostStatus.name(r.hostStatus)), driver status 0x\(hex(UInt8(truncatingIfNeeded: r.driverStatus)))")
        default:
            return .failed("SCSI status 0x\(hex(r.status))")
        }
    }
}

/// How registering the map's key on a path went (0.9.4's mpath_pr_event_handler_fn, in its order).
public enum ReservationRegistration: Hashable, Sendable {
    /// The map has no key (`reservation_key file` and none in the prkeys file): nothing was sent.
    case noKey
    case readKeysFailed(String)
    /// READ KEYS lists no key at all.
    case noKeysRegistered
    /// READ KEYS lists keys, ours not among them: this host is not registered, the path is skipped.
    case keyNotFound
    case registered
    /// Our key is registered on the LUN, but the REGISTER on this path failed.
    case registerFailed(String)

    /// Our key was found on the LUN: the map's prflag is set (0.9.4 sets it even when the REGISTER failed).
    public var keyFound: Bool {
        switch self {
        case .registered, .registerFailed: true
        case .noKey, .readKeysFailed, .noKeysRegistered, .keyNotFound: false
        }
    }
}
