import MultipathRegex
import Testing

@testable import MultipathCore

@Suite struct PathTuningTests {
    static let rport = "class/fc_remote_ports/rport-5:0-2"
    static let session = "class/iscsi_session/session3/recovery_tmo"
    static let endDevice = "class/sas_end_device/end_device-0:0/I_T_nexus_loss_timeout"

    static func path(_ transport: Transport, name: String = "sdc", host: Int = 5) -> PathIdentity {
        let port: TransportPort? =
            switch transport {
            case .scsi(.fcp): .fcRemotePort("rport-5:0-2")
            case .scsi(.iscsi): .iscsiSession("session3")
            case .scsi(.sas): .sasEndDevice("end_device-0:0")
            default: nil
            }
        return PathIdentity(
            name: name, devT: DevT(major: 8, minor: 32), hctl: HCTL(host: host, channel: 0, target: 2, lun: 0), transport: transport,
            transportPort: port)
    }

    static func timeouts(fast: SCSITimeout? = .seconds(5), devLoss: DevLossTimeout? = nil, eh: SCSITimeout? = nil) -> TransportTimeouts {
        func r<T>(_ v: T?) -> Resolved<T>? { v.map { Resolved(value: $0, origin: .defaultsSection, location: nil) } }
        return TransportTimeouts(fastIOFail: r(fast), devLoss: r(devLoss), ehDeadline: r(eh))
    }

    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var transport: Transport
        var timeouts: TransportTimeouts
        var noPathRetry: NoPathRetry = .fail
        var polling = 5
        /// What sysfs shows before.
        var current: [String: String] = [:]
        /// The sequences, each as `attribute=value` lines.
        var writes: [[String]]
        var notes: [String] = []
    }

    static let cases: [Case] = [
        Case(
            description: "FC: fast_io_fail_tmo below the port's dev_loss_tmo is written alone",
            transport: .scsi(.fcp), timeouts: timeouts(), current: ["\(rport)/dev_loss_tmo": "30", "\(rport)/fast_io_fail_tmo": "off"],
            writes: [["\(rport)/fast_io_fail_tmo=5"]]),
        Case(
            description: "FC: dev_loss_tmo raised above fast_io_fail_tmo first, then both",
            transport: .scsi(.fcp), timeouts: timeouts(fast: .seconds(5), devLoss: .seconds(20)),
            current: ["\(rport)/dev_loss_tmo": "3", "\(rport)/fast_io_fail_tmo": "off"],
            writes: [["\(rport)/dev_loss_tmo=6!", "\(rport)/fast_io_fail_tmo=5", "\(rport)/dev_loss_tmo=20"]]),
        Case(
            description: "FC: infinity is the kernel's largest value",
            transport: .scsi(.fcp), timeouts: timeouts(devLoss: .infinity), current: ["\(rport)/dev_loss_tmo": "60"],
            writes: [["\(rport)/fast_io_fail_tmo=5", "\(rport)/dev_loss_tmo=4294967295"]]),
        Case(
            description: "FC: without fast_io_fail_tmo dev_loss_tmo is limited to 600",
            transport: .scsi(.fcp), timeouts: timeouts(fast: .off, devLoss: .seconds(900)), current: ["\(rport)/dev_loss_tmo": "60"],
            writes: [["\(rport)/fast_io_fail_tmo=off", "\(rport)/dev_loss_tmo=600"]],
            notes: ["rport-5:0-2: limiting dev_loss_tmo to 600, since fast_io_fail is not set"]),
        Case(
            description: "FC: no_path_retry queue raises dev_loss_tmo to infinity, and no limit applies",
            transport: .scsi(.fcp), timeouts: timeouts(fast: .off, devLoss: .seconds(900)), noPathRetry: .queue,
            current: ["\(rport)/dev_loss_tmo": "60"],
            writes: [["\(rport)/fast_io_fail_tmo=off", "\(rport)/dev_loss_tmo=4294967295"]],
            notes: ["mpatha: Raising dev_loss_tmo to 4294967295 because of no_path_retry setting"]),
        Case(
            description: "dev_loss_tmo raised to cover no_path_retry x polling_interval",
            transport: .scsi(.fcp), timeouts: timeouts(devLoss: .seconds(30)), noPathRetry: .retries(12),
            current: ["\(rport)/dev_loss_tmo": "30"],
            writes: [["\(rport)/fast_io_fail_tmo=5", "\(rport)/dev_loss_tmo=60"]],
            notes: ["mpatha: Raising dev_loss_tmo to 60 because of no_path_retry setting"]),
        Case(
            description: "no_path_retry does not set a dev_loss_tmo nothing configures",
            transport: .scsi(.fcp), timeouts: timeouts(), noPathRetry: .queue, current: ["\(rport)/dev_loss_tmo": "30"],
            writes: [["\(rport)/fast_io_fail_tmo=5"]]),
        Case(
            description: "fast_io_fail_tmo not below dev_loss_tmo is turned off",
            transport: .scsi(.fcp), timeouts: timeouts(fast: .seconds(10), devLoss: .seconds(10)),
            current: ["\(rport)/dev_loss_tmo": "30"],
            writes: [["\(rport)/fast_io_fail_tmo=off", "\(rport)/dev_loss_tmo=10"]],
            notes: ["mpatha: turning off fast_io_fail (not smaller than dev_loss_tmo)"]),
        Case(
            description: "values sysfs already shows are not written",
            transport: .scsi(.fcp), timeouts: timeouts(devLoss: .seconds(60)),
            current: ["\(rport)/dev_loss_tmo": "60", "\(rport)/fast_io_fail_tmo": "5"], writes: []),
        Case(
            description: "FC: an unreadable dev_loss_tmo leaves the port alone",
            transport: .scsi(.fcp), timeouts: timeouts(), writes: [], notes: ["rport-5:0-2: failed to read dev_loss_tmo value"]),
        Case(
            description: "iSCSI: recovery_tmo from fast_io_fail_tmo; dev_loss_tmo is ignored",
            transport: .scsi(.iscsi), timeouts: timeouts(devLoss: .seconds(60)), current: [session: "120"],
            writes: [["\(session)=5"]]),
        Case(
            description: "iSCSI: off cannot be set",
            transport: .scsi(.iscsi), timeouts: timeouts(fast: .off), current: [session: "120"], writes: [],
            notes: ["sdc: can't switch off fast_io_fail_tmo on iSCSI"]),
        Case(
            description: "SAS: I_T_nexus_loss_timeout from dev_loss_tmo",
            transport: .scsi(.sas), timeouts: timeouts(devLoss: .seconds(45)), current: [endDevice: "2000"],
            writes: [["\(endDevice)=45"]]),
        Case(
            description: "SAS: fast_io_fail_tmo alone sets nothing",
            transport: .scsi(.sas), timeouts: timeouts(), current: [endDevice: "2000"], writes: []),
        Case(
            description: "eh_deadline on the SCSI host, whatever the protocol",
            transport: .scsi(.unspecified), timeouts: timeouts(eh: .seconds(7)),
            current: ["class/scsi_host/host5/eh_deadline": "off"], writes: [["class/scsi_host/host5/eh_deadline=7"]],
            notes: ["sdc: setting scsi timeouts is unsupported for protocol scsi:unspec"]),
        Case(
            description: "eh_deadline off",
            transport: .scsi(.iscsi), timeouts: timeouts(fast: nil, eh: .off),
            current: ["class/scsi_host/host5/eh_deadline": "10"], writes: [["class/scsi_host/host5/eh_deadline=off"]]),
        Case(
            description: "not SCSI: nothing, said once",
            transport: .nvme(.pcie), timeouts: timeouts(eh: .seconds(7)), writes: [],
            notes: ["sdc: setting scsi timeouts is unsupported for protocol nvme:pcie"]),
        Case(description: "nothing set: nothing to say", transport: .nvme(.pcie), timeouts: timeouts(fast: nil), writes: [])
    ]

    @Test(arguments: cases)
    func transportTimeouts(_ c: Case) {
        let tuning = PathTuning(
            map: "mpatha", paths: [(Self.path(c.transport), c.timeouts)], noPathRetry: c.noPathRetry, pollingInterval: c.polling,
            maxSectorsKB: nil, reload: false)
        let (sequences, notes) = tuning.writes(current: c.current)
        #expect(sequences.map { $0.map { "\($0.attribute)=\($0.value)\($0.required ? "!" : "")" } } == c.writes)
        #expect(tuning.notes + notes == c.notes)
        // Every attribute written is read first (an equal value is not written).
        for w in sequences.joined() { #expect(tuning.attributesNeeded.contains(w.attribute)) }
    }

    /// Two paths behind one remote port: the second finds the port already set.
    @Test func sharedPortIsWrittenOnce() {
        let tuning = PathTuning(
            map: "mpatha",
            paths: [(Self.path(.scsi(.fcp), name: "sdc"), Self.timeouts()), (Self.path(.scsi(.fcp), name: "sdd"), Self.timeouts())],
            noPathRetry: .fail, pollingInterval: 5, maxSectorsKB: nil, reload: false)
        #expect(tuning.writes(current: ["\(Self.rport)/dev_loss_tmo": "30"]).sequences.count == 1)
    }

    @Test func maxSectorsBeforeCreateIsTheConfiguredValue() {
        let paths = [
            (Self.path(.scsi(.unspecified), name: "sdc"), TransportTimeouts()),
            (Self.path(.scsi(.unspecified), name: "sdd"), TransportTimeouts())
        ]
        let tuning = PathTuning(map: "mpatha", paths: paths, noPathRetry: .fail, pollingInterval: 5, maxSectorsKB: 256, reload: false)
        #expect(tuning.attributesNeeded == ["block/sdc/queue/max_sectors_kb", "block/sdd/queue/max_sectors_kb"])
        let (sequences, _) = tuning.writes(current: ["block/sdc/queue/max_sectors_kb": "512", "block/sdd/queue/max_sectors_kb": "256"])
        #expect(sequences == [[SysfsWrite("block/sdc/queue/max_sectors_kb", "256")]])
    }

    /// 0.9.4 gives a path joining a live map the map's own value, whatever the configuration says now.
    @Test func maxSectorsBeforeReloadIsTheMapsValue() {
        let paths = [(Self.path(.scsi(.unspecified), name: "sdc"), TransportTimeouts())]
        let map = DevT(major: 253, minor: 4)
        let tuning = PathTuning(
            map: "mpatha", paths: paths, noPathRetry: .fail, pollingInterval: 5, maxSectorsKB: 256, reload: true, mapDevice: map)
        #expect(tuning.attributesNeeded == ["dev/block/253:4/queue/max_sectors_kb", "block/sdc/queue/max_sectors_kb"])
        let (sequences, _) = tuning.writes(current: ["dev/block/253:4/queue/max_sectors_kb": "128", "block/sdc/queue/max_sectors_kb": "512"]
        )
        #expect(sequences == [[SysfsWrite("block/sdc/queue/max_sectors_kb", "128")]])
        let unknown = PathTuning(map: "mpatha", paths: paths, noPathRetry: .fail, pollingInterval: 5, maxSectorsKB: 256, reload: true)
        #expect(unknown.writes(current: [:]) == ([], ["mpatha: failed to get current max_sectors_kb"]))
        let unset = PathTuning(
            map: "mpatha", paths: paths, noPathRetry: .fail, pollingInterval: 5, maxSectorsKB: nil, reload: true, mapDevice: map)
        #expect(unset.isEmpty)
    }

    /// A refused temporary raise ends the port's writes, as 0.9.4 gives up on the port; other refusals do not.
    @Test func refusalsAreReportedAndARefusedRaiseStops() {
        let tuning = PathTuning(
            map: "mpatha", paths: [(Self.path(.scsi(.fcp)), Self.timeouts(fast: .seconds(5), devLoss: .seconds(20)))], noPathRetry: .fail,
            pollingInterval: 5, maxSectorsKB: nil, reload: false)
        let read: SysfsReader = { $0.hasSuffix("dev_loss_tmo") ? Array("3\n".utf8) : nil }
        var attempted: [String] = []
        let blocked = tuning.carryOut(read: read) { a, v in
            attempted.append("\(a)=\(v)")
            return .busy
        }
        #expect(attempted == ["\(Self.rport)/dev_loss_tmo=6"])
        #expect(blocked.refused == ["\(Self.rport)/dev_loss_tmo = 6: busy (blocked)"])
        attempted = []
        let report = tuning.carryOut(read: read) { a, v in
            attempted.append("\(a)=\(v)")
            return a.hasSuffix("fast_io_fail_tmo") ? .failed("EINVAL") : .written
        }
        #expect(attempted.count == 3)
        #expect(report.written.map(\.value) == ["6", "20"])
        #expect(report.refused == ["\(Self.rport)/fast_io_fail_tmo = 5: EINVAL"])
    }

    /// Each path carries its own values, resolved as 0.9.4's select_fast_io_fail and friends: the overrides'
    /// protocol section for its transport first; 0.9.4's default fast_io_fail_tmo is 5, the others unset.
    @Test func pathsCarryTheirResolvedTimeouts() throws {
        let config = ConfigLoader.load(
            main: (
                "/etc/multipath.conf",
                """
                defaults {
                    eh_deadline 30
                }
                overrides {
                    dev_loss_tmo 120
                    protocol {
                        type "scsi:iscsi"
                        fast_io_fail_tmo 3
                    }
                }
                """
            ), confD: [], regex: .glibc
        ).0
        func timeouts(_ transport: Transport) -> TransportTimeouts {
            let path = Self.path(transport)
            return PathChoice.select(path, config.pathSettings(for: path), hasAccessState: false, checkerTimeout: .seconds(30)).timeouts
        }
        let iscsi = timeouts(.scsi(.iscsi))
        #expect(
            iscsi.fastIOFail
                == Resolved(
                    value: .seconds(3), origin: .overridesProtocolSection, location: SourceLocation(file: "/etc/multipath.conf", line: 8)))
        #expect(iscsi.devLoss?.value == .seconds(120))
        #expect(iscsi.devLoss?.origin == .overridesSection)
        #expect(iscsi.ehDeadline?.value == .seconds(30))
        let fc = timeouts(.scsi(.fcp))
        #expect(fc.fastIOFail?.value == .seconds(5))
        #expect(fc.fastIOFail?.origin == .internalDefault)
        #expect(Config.builtin.pathSettings(for: Self.path(.scsi(.fcp))).devLossTimeout == nil)
        #expect(Config.builtin.pathSettings(for: Self.path(.scsi(.fcp))).ehDeadline == nil)
    }
}
