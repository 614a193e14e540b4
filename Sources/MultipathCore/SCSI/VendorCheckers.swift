/// Verdicts of the vendor checkers whose commands are in `SCSICommand` (multipath-tools 0.9.4 facts).
public enum VendorCheckers {
    /// rdac: INQUIRY VPD 0xC9 (`SCSICommand.rdacVolumeAccess`). Down when the LUN is not connected, its port
    /// group is unavailable, or this controller alone is transitioning; up when it owns the volume (AVT/owner
    /// bit 0 of byte 8) or I/O shipping is on (bit 5); ghost otherwise.
    public static func rdac(_ outcome: CommandOutcome) -> CheckerVerdict {
        guard case .completed(let r) = outcome, r.isGood || Sense(r.sense)?.key == Sense.recoveredError else {
            return failed("rdac", outcome, "inquiry failed")
        }
        let b = r.data + [UInt8](repeating: 0, count: max(0, 48 - r.data.count))
        if b[0] & 0xe0 == 0x20 || b[0] & 0x7f != 0 { return CheckerVerdict(.down, "rdac: lun not connected") }
        if b[8] & 0x10 != 0 {  // TPGDE: the port group fields are valid
            switch (b[10] & 0x0f, b[12] & 0x0f) {
            case (0x3, _): return CheckerVerdict(.down, "rdac: ctlr is unavailable")
            case (0xf, let alt) where alt != 0xf: return CheckerVerdict(.down, "rdac: ctlr is in startup sequence")
            default: break
            }
        }
        if b[8] & 0x01 != 0 || b[8] & 0x20 != 0 { return CheckerVerdict(.up, "rdac: path is up") }
        return CheckerVerdict(.ghost, "rdac: path is ghost")
    }

    /// emc_clariion: INQUIRY VPD 0xC0 (`SCSICommand.emcUnitPathReport`). The page must be 0xC0 revision 0, the
    /// path set up for failover (initiator type 3, failover mode 4 or 6, arraycommpath), the LUN operating
    /// normally (byte 48 == 0, else shaky) and bound (byte 4 != 0). Passive paths count as up, not ghost.
    /// (The checker's extra read on the active path, for inactive snapshots, is not modelled here.)
    public static func emcClariion(_ outcome: CommandOutcome) -> CheckerVerdict {
        guard case .completed(let r) = outcome, r.isGood else { return failed("emc_clariion", outcome, "query command failed") }
        let b = r.data + [UInt8](repeating: 0, count: max(0, 128 - r.data.count))
        if b[1] != 0xc0 || b[9] != 0 { return CheckerVerdict(.down, "emc_clariion: path unit report page in unknown format") }
        if b[27] != 0x03 || (b[28] & 0x07 != 0x04 && b[28] & 0x07 != 0x06) || b[30] & 0x04 == 0 {
            return CheckerVerdict(.down, "emc_clariion: path not correctly configured for failover")
        }
        if b[48] != 0 { return CheckerVerdict(.shaky, "emc_clariion: path not available for normal operations") }
        if b[4] == 0 { return CheckerVerdict(.down, "emc_clariion: logical unit is unbound or LUNZ") }
        return CheckerVerdict(.up, b[4] == 2 ? "emc_clariion: active path is healthy" : "emc_clariion: passive path is healthy")
    }

    /// hp_sw: INQUIRY VPD 0x80 must succeed (else down); then a failing TEST UNIT READY means the passive
    /// controller (ghost), a good one up.
    public static func hpSw(inquiry: CommandOutcome, tur: CommandOutcome) -> CheckerVerdict {
        guard case .completed(let r) = inquiry, r.isGood || Sense(r.sense)?.key == Sense.recoveredError else {
            return failed("hp_sw", inquiry, "inquiry failed")
        }
        if case .completed(let t) = tur, t.isGood { return CheckerVerdict(.up, "hp_sw: path is up") }
        if case .timedOut = tur { return CheckerVerdict(.timeout, "hp_sw: TUR timed out") }
        return CheckerVerdict(.ghost, "hp_sw: path is ghost")
    }

    private static func failed(_ checker: String, _ outcome: CommandOutcome, _ what: String) -> CheckerVerdict {
        switch outcome {
        case .timedOut: CheckerVerdict(.timeout, "\(checker): command timed out")
        case .deviceGone(let why): CheckerVerdict(.down, "\(checker): path offline (\(why))")
        default: CheckerVerdict(.down, "\(checker): \(what)")
        }
    }
}
