/// The path checkers 0.9.4 knows (`path_checker`); a name outside this list is refused at load.
public enum CheckerKind: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case tur, readsector0, directio, rdac
    case emcClariion = "emc_clariion"
    case hpSw = "hp_sw"
    /// Accepted, but cciss devices have no SCSI generic interface: the path is `wild`.
    case ccissTur = "cciss_tur"
    case none

    public var description: String { rawValue }
}

/// The prioritizers 0.9.4 knows (`prio`); a name outside this list is refused at load. Those the
/// hardware table names but we do not run (`isRun` false) give an undefined priority, said once.
public enum PrioritizerKind: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case const, random, sysfs, alua, weightedpath
    case pathLatency = "path_latency"
    case ontap, hds, emc, rdac
    case hpSw = "hp_sw"
    case iet, datacore, ana

    public var isRun: Bool {
        switch self {
        case .const, .random, .sysfs, .alua, .weightedpath, .pathLatency, .ana: true
        case .ontap, .hds, .emc, .rdac, .hpSw, .iet, .datacore: false
        }
    }

    public var description: String { rawValue }
}
