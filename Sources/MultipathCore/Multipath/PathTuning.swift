/// A path's `fast_io_fail_tmo`, `dev_loss_tmo` and `eh_deadline` as resolved for it (0.9.4 selects them
/// per path: the overrides' protocol section, overrides, its device entry, defaults); nil: not set.
public struct TransportTimeouts: Hashable, Sendable {
    public var fastIOFail: Resolved<SCSITimeout>?
    public var devLoss: Resolved<DevLossTimeout>?
    public var ehDeadline: Resolved<SCSITimeout>?

    public init(
        fastIOFail: Resolved<SCSITimeout>? = nil, devLoss: Resolved<DevLossTimeout>? = nil, ehDeadline: Resolved<SCSITimeout>? = nil
    ) {
        self.fastIOFail = fastIOFail
        self.devLoss = devLoss
        self.ehDeadline = ehDeadline
    }
}

/// One sysfs attribute to write, by its path under the sysfs root.
public struct SysfsWrite: Hashable, Sendable, CustomStringConvertible {
    public var attribute: String
    public var value: String
    /// A refusal ends the writes after it in its sequence (FC's temporary `dev_loss_tmo` raise).
    public var required: Bool

    public init(_ attribute: String, _ value: String, required: Bool = false) {
        self.attribute = attribute
        self.value = value
        self.required = required
    }

    public var description: String { "\(attribute) = \(value)" }
}

/// How a sysfs write went; `busy` is EBUSY (an FC remote port that is blocked).
public enum SysfsWriteOutcome: Hashable, Sendable {
    case written
    case busy
    case failed(String)
}

/// Writes `value` to the attribute at a path relative to the sysfs root.
public typealias SysfsWriter = (_ attribute: String, _ value: String) -> SysfsWriteOutcome

/// What 0.9.4 sets in sysfs for a map's paths before it loads the map's table: the transport's
/// timeouts (`sysfs_set_scsi_tmo`, from `setup_map`) and `queue/max_sectors_kb` (`domap`). Decided
/// from the settings when made and from what sysfs shows now (`writes(current:)`); an attribute that
/// already holds the value is not written again.
public struct PathTuning: Hashable, Sendable {
    /// What one path's transport gets, once 0.9.4's rules have adjusted the configured values.
    struct Target: Hashable, Sendable {
        var path: String
        var host: Int?
        var ehDeadline: SCSITimeout?
        var transport: TransportWrites?
    }

    enum TransportWrites: Hashable, Sendable {
        /// The remote port's `fast_io_fail_tmo` and `dev_loss_tmo` (nil: left alone).
        case fc(port: String, fastIOFail: SCSITimeout?, devLoss: UInt32?)
        /// The session's `recovery_tmo`, from `fast_io_fail_tmo`.
        case iscsi(session: String, recovery: Int)
        /// The end device's `I_T_nexus_loss_timeout`, from `dev_loss_tmo`.
        case sas(endDevice: String, nexusLoss: UInt32)
    }

    /// `max_sectors_kb` for the paths: the configured value before a create; before a reload, the value
    /// the map's device has now (a path joining a live map must not take larger requests than it passes).
    enum MaxSectors: Hashable, Sendable {
        case value(Int)
        case asMap(device: DevT?)
    }

    public let map: String
    var targets: [Target] = []
    var maxSectors: MaxSectors?
    /// The paths whose `max_sectors_kb` is set, in the table's order.
    var tablePaths: [String]
    /// What the decision itself has to say (values raised or refused, protocols without timeouts).
    public private(set) var notes: [String] = []

    /// 0.9.4's `dev_loss_tmo` when nothing sets `fast_io_fail_tmo`: the FC transport refuses more.
    static let defaultDevLoss: UInt32 = 600

    /// - Parameters:
    ///   - paths: the map's paths in table order, with their resolved timeouts.
    ///   - noPathRetry: the map's, as it queues now (an operator's `disablequeueing` is `fail`).
    ///   - pollingInterval: seconds; `no_path_retry` queues that many of them.
    ///   - maxSectorsKB: the map's `max_sectors_kb`; nil: leave the paths' own.
    ///   - reload: the map exists; its device `mapDevice` (nil: unknown) gives `max_sectors_kb`.
    public init(
        map: String, paths: [(PathIdentity, TransportTimeouts)], noPathRetry: NoPathRetry, pollingInterval: Int,
        maxSectorsKB: Int?, reload: Bool, mapDevice: DevT? = nil
    ) {
        self.map = map
        tablePaths = paths.map(\.0.name)
        if let kb = maxSectorsKB { maxSectors = reload ? .asMap(device: mapDevice) : .value(kb) }
        // dev_loss_tmo must outlast the queueing no_path_retry asks for.
        let minDevLoss: UInt32 =
            switch noPathRetry {
            case .retries(let n) where n > 0: UInt32(clamping: n * max(pollingInterval, 1))
            case .queue: .max
            default: 0
            }
        var raisedDevLoss = false
        var fastIOFailOff = false
        for (path, t) in paths {
            var fast = t.fastIOFail?.value
            // `0` and unset are one value for dev_loss_tmo.
            var devLoss: UInt32? =
                switch t.devLoss?.value {
                case .infinity?: .max
                case .seconds(let s)? where s > 0: UInt32(clamping: s)
                default: nil
                }
            let eh = t.ehDeadline?.value
            guard fast != nil || devLoss != nil || eh != nil else { continue }
            guard case .scsi(let proto) = path.transport else {
                notes.append(Self.unsupported(path))
                continue
            }
            var target = Target(path: path.name, host: path.hctl.map(\.host), ehDeadline: eh)
            defer { if target.ehDeadline != nil || target.transport != nil { targets.append(target) } }
            guard fast != nil || devLoss != nil else { continue }
            guard [.fcp, .iscsi, .sas].contains(proto) else {
                notes.append(Self.unsupported(path))
                continue
            }
            if let d = devLoss, d < minDevLoss {
                raisedDevLoss = true
                devLoss = minDevLoss
            }
            if let d = devLoss, case .seconds(let f)? = fast, f > 0, f >= d {
                fastIOFailOff = true
                fast = .off
            }
            switch (proto, path.transportPort) {
            case (.fcp, .fcRemotePort(let port)?):
                if fast == nil || fast == .off || fast == .seconds(0), let d = devLoss, d > Self.defaultDevLoss, noPathRetry != .queue {
                    notes.append("\(port): limiting dev_loss_tmo to \(Self.defaultDevLoss), since fast_io_fail is not set")
                    devLoss = Self.defaultDevLoss
                }
                target.transport = .fc(port: port, fastIOFail: fast, devLoss: devLoss)
            case (.iscsi, .iscsiSession(let session)?):
                switch fast {
                case .off?: notes.append("\(path.name): can't switch off fast_io_fail_tmo on iSCSI")
                case .seconds(0)?: notes.append("\(path.name): can't set fast_io_fail_tmo to '0' on iSCSI")
                case .seconds(let f)?: target.transport = .iscsi(session: session, recovery: f)
                case nil: break
                }
            case (.sas, .sasEndDevice(let endDevice)?):
                if let d = devLoss { target.transport = .sas(endDevice: endDevice, nexusLoss: d) }
            default:
                notes.append("\(path.name): no \(path.transport) transport device in sysfs for its timeouts")
            }
        }
        if raisedDevLoss { notes.append("\(map): Raising dev_loss_tmo to \(minDevLoss) because of no_path_retry setting") }
        if fastIOFailOff { notes.append("\(map): turning off fast_io_fail (not smaller than dev_loss_tmo)") }
    }

    /// Nothing to read or write.
    public var isEmpty: Bool { targets.isEmpty && maxSectors == nil }

    /// The attributes whose current values `writes(current:)` needs.
    public var attributesNeeded: [String] {
        var needed: [String] = []
        for t in targets {
            if t.ehDeadline != nil, let h = t.host { needed.append(Self.ehDeadline(host: h)) }
            switch t.transport {
            case .fc(let port, _, _)?:
                needed += ["fast_io_fail_tmo", "dev_loss_tmo"].map { "\(TransportPort.fcRemotePort(port).directory)/\($0)" }
            case .iscsi(let session, _)?: needed.append(Self.recoveryTimeout(session))
            case .sas(let endDevice, _)?: needed.append(Self.nexusLossTimeout(endDevice))
            case nil: break
            }
        }
        switch maxSectors {
        case .value?: needed += tablePaths.map(Self.maxSectorsKB(path:))
        case .asMap(let device?)?: needed += [Self.maxSectorsKB(device: device)] + tablePaths.map(Self.maxSectorsKB(path:))
        case .asMap(nil)?, nil: break
        }
        var seen = Set<String>()
        return needed.filter { seen.insert($0).inserted }
    }

    /// The writes, in 0.9.4's order, as sequences (one per path's transport, then `max_sectors_kb`):
    /// `current` holds what the attributes read now (absent: unreadable). The notes of a decision that
    /// needed a value it could not read are in `notes` of the result.
    public func writes(current: [String: String]) -> (sequences: [[SysfsWrite]], notes: [String]) {
        var now = current
        var sequences: [[SysfsWrite]] = []
        var notes: [String] = []
        // Writes what differs from the value sysfs shows (or will, after the writes before it).
        func sequence(_ writes: [SysfsWrite]) {
            var kept: [SysfsWrite] = []
            for w in writes where now[w.attribute] != w.value {
                now[w.attribute] = w.value
                kept.append(w)
            }
            if !kept.isEmpty { sequences.append(kept) }
        }
        for t in targets {
            if let eh = t.ehDeadline, let h = t.host { sequence([SysfsWrite(Self.ehDeadline(host: h), Self.text(eh))]) }
            switch t.transport {
            case .fc(let port, let fast, let devLoss)?:
                let dir = TransportPort.fcRemotePort(port).directory
                // The FC class limits fast_io_fail_tmo to below dev_loss_tmo, and dev_loss_tmo to 600 s unless
                // fast_io_fail_tmo is set: raise dev_loss_tmo above fast_io_fail_tmo first, then set
                // fast_io_fail_tmo, then dev_loss_tmo.
                guard let shown = now["\(dir)/dev_loss_tmo"].flatMap({ UInt32($0) }) else {
                    notes.append("\(port): failed to read dev_loss_tmo value")
                    continue
                }
                var writes: [SysfsWrite] = []
                if case .seconds(let f)? = fast, f > 0, f >= shown {
                    writes.append(SysfsWrite("\(dir)/dev_loss_tmo", String(UInt32(clamping: f + 1)), required: true))
                }
                if let fast { writes.append(SysfsWrite("\(dir)/fast_io_fail_tmo", Self.text(fast))) }
                if let devLoss { writes.append(SysfsWrite("\(dir)/dev_loss_tmo", String(devLoss))) }
                sequence(writes)
            case .iscsi(let session, let recovery)?:
                sequence([SysfsWrite(Self.recoveryTimeout(session), String(recovery))])
            case .sas(let endDevice, let nexusLoss)?:
                sequence([SysfsWrite(Self.nexusLossTimeout(endDevice), String(nexusLoss))])
            case nil: break
            }
        }
        let kb: Int?
        switch maxSectors {
        case .value(let n)?: kb = n
        case .asMap(let device)?:
            kb = device.flatMap { now[Self.maxSectorsKB(device: $0)] }.flatMap { Int($0) }
            if kb == nil { notes.append("\(map): failed to get current max_sectors_kb") }
        case nil: kb = nil
        }
        if let kb { sequence(tablePaths.map { SysfsWrite(Self.maxSectorsKB(path: $0), String(kb)) }) }
        return (sequences, notes)
    }

    /// What carrying the tuning out did.
    public struct Report: Hashable, Sendable {
        public var written: [SysfsWrite] = []
        /// The decision's notes and the values it could not read.
        public var notes: [String] = []
        /// Writes the kernel refused, with why.
        public var refused: [String] = []
    }

    /// Reads what the decision needs through `read`, decides, and writes through `write`: the edges pass
    /// the real sysfs, tests a tree of their own.
    public func carryOut(read: SysfsReader, write: SysfsWriter) -> Report {
        var current: [String: String] = [:]
        for attribute in attributesNeeded { current[attribute] = read(attribute).map(sysfsText) }
        let (sequences, notes) = writes(current: current)
        var report = Report(notes: self.notes + notes)
        for sequence in sequences {
            for w in sequence {
                switch write(w.attribute, w.value) {
                case .written:
                    report.written.append(w)
                    continue
                case .busy: report.refused.append("\(w): busy (blocked)")
                case .failed(let why): report.refused.append("\(w): \(why)")
                }
                if w.required { break }
            }
        }
        return report
    }

    static func unsupported(_ path: PathIdentity) -> String {
        "\(path.name): setting scsi timeouts is unsupported for protocol \(path.transport)"
    }

    static func text(_ t: SCSITimeout) -> String {
        switch t {
        case .off: "off"
        case .seconds(let s): String(s)
        }
    }

    static func ehDeadline(host: Int) -> String { "class/scsi_host/host\(host)/eh_deadline" }
    static func recoveryTimeout(_ session: String) -> String { "\(TransportPort.iscsiSession(session).directory)/recovery_tmo" }
    static func nexusLossTimeout(_ endDevice: String) -> String {
        "\(TransportPort.sasEndDevice(endDevice).directory)/I_T_nexus_loss_timeout"
    }
    static func maxSectorsKB(path: String) -> String { "block/\(path)/queue/max_sectors_kb" }
    static func maxSectorsKB(device: DevT) -> String { "dev/block/\(device.major):\(device.minor)/queue/max_sectors_kb" }
}

extension Multipaths {
    /// What to set in sysfs before `load` is created or (`reload`) reloaded; `mapDevice`: the map's
    /// device number, when it exists.
    public func pathTuning(_ load: MapLoad, reload: Bool, mapDevice: DevT? = nil) -> PathTuning {
        pathTuning(name: load.name, wwid: load.wwid, table: load.table, maxSectors: true, reload: reload, mapDevice: mapDevice)
    }

    /// The transport timeouts alone, for a map whose table stays (`tuneTransports`): 0.9.4 sets them
    /// whenever it sets a map up (`setup_map`: at start, at reconfigure), `max_sectors_kb` only before a load.
    public func transportTuning(_ wwid: WWID) -> PathTuning? {
        maps[wwid].map { pathTuning(name: $0.name, wwid: wwid, table: $0.table, maxSectors: false, reload: true, mapDevice: nil) }
    }

    private func pathTuning(name: String, wwid: WWID, table: MultipathTable, maxSectors: Bool, reload: Bool, mapDevice: DevT?) -> PathTuning
    {
        let settings = maps[wwid]?.settings ?? config.mapSettings(wwid: wwid.rawValue, paths: [])
        let queueingDisabled = maps[wwid]?.queueingDisabled == true
        let members = table.groups.flatMap { $0.paths.compactMap(\.devT) }.compactMap { paths[$0] }
        return PathTuning(
            map: name, paths: members.map { ($0.identity, $0.settings.timeouts) },
            noPathRetry: MultipathMap.noPathRetry(settings, queueingDisabled: queueingDisabled),
            pollingInterval: config.pollingInterval, maxSectorsKB: maxSectors ? settings.maxSectorsKB?.value : nil, reload: reload,
            mapDevice: mapDevice)
    }
}
