import Foundation
import MultipathCore
import MultipathRegex
import MultipathSystem
import Testing

/// The transports' timeouts and `max_sectors_kb` written through `Sysfs` into a fake tree laid out as
/// the kernel lays it out: each transport's class entry links to its device under `devices/`.
@Suite struct PathTuningEdgeTests {
    static let fcDisk = "devices/pci0000:00/0000:00:03.0/host5/rport-5:0-2/target5:0:1/5:0:1:3/block/sdd"
    static let iscsiDisk = "devices/platform/host3/session1/target3:0:0/3:0:0:1/block/sdc"
    static let sasDisk = "devices/pci0000:00/0000:00:1f.0/host0/port-0:0/end_device-0:0/target0:0:0/0:0:0:0/block/sda"

    /// The fake tree with an FC remote port, an iSCSI session and a SAS end device, as the kernel
    /// shows them before any daemon has set them.
    static func tree() throws -> FakeSysfs {
        let fake = try FakeSysfs()
        let fm = FileManager.default
        func device(_ dir: String, _ files: [String: String], classEntry: String) throws {
            for (name, value) in files { try fake.write("\(dir)/\(name)", value + "\n") }
            let link = "\(fake.root)/\(classEntry)"
            try fm.createDirectory(atPath: (link as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try fm.createSymbolicLink(atPath: link, withDestinationPath: "\(fake.root)/\(dir)")
        }
        try device(
            "devices/pci0000:00/0000:00:03.0/host5/rport-5:0-2/fc_remote_ports/rport-5:0-2",
            ["dev_loss_tmo": "30", "fast_io_fail_tmo": "off"], classEntry: "class/fc_remote_ports/rport-5:0-2")
        try device(
            "devices/platform/host3/session1/iscsi_session/session1", ["recovery_tmo": "120"],
            classEntry: "class/iscsi_session/session1")
        try device(
            "devices/pci0000:00/0000:00:1f.0/host0/port-0:0/end_device-0:0/sas_end_device/end_device-0:0",
            ["I_T_nexus_loss_timeout": "2000"], classEntry: "class/sas_end_device/end_device-0:0")
        for (host, dir) in [
            (5, "devices/pci0000:00/0000:00:03.0/host5"), (3, "devices/platform/host3"), (0, "devices/pci0000:00/0000:00:1f.0/host0")
        ] {
            try device("\(dir)/scsi_host/host\(host)", ["eh_deadline": "off"], classEntry: "class/scsi_host/host\(host)")
        }
        for disk in [fcDisk, iscsiDisk, sasDisk] {
            try fake.write("\(disk)/queue/max_sectors_kb", "512\n")
            try fm.createSymbolicLink(
                atPath: "\(fake.root)/block/\(disk.split(separator: "/").last!)", withDestinationPath: "\(fake.root)/\(disk)")
        }
        return fake
    }

    static func path(_ sysfs: Sysfs, _ devPath: String, minor: Int) throws -> PathIdentity {
        let name = String(devPath.split(separator: "/").last!)
        let event = Uevent(
            action: .add, sysname: name,
            properties: [
                ("SUBSYSTEM", "block"), ("DEVTYPE", "disk"), ("DEVPATH", "/\(devPath)"), ("DEVNAME", "/dev/\(name)"),
                ("MAJOR", "8"), ("MINOR", "\(minor)"), ("ID_SERIAL", "36001")
            ])
        return try sysfs.pathIdentity(of: event).get()
    }

    static let config = ConfigLoader.load(
        main: ("/etc/multipath.conf", "defaults {\n fast_io_fail_tmo 5\n dev_loss_tmo 20\n eh_deadline 7\n}\n"), confD: [], regex: .glibc
    ).0

    static func timeouts(_ path: PathIdentity) -> TransportTimeouts {
        let s = config.pathSettings(for: path)
        return TransportTimeouts(fastIOFail: s.fastIOFailTimeout, devLoss: s.devLossTimeout, ehDeadline: s.ehDeadline)
    }

    @Test func eachTransportGetsItsTimeoutsAndThePathsTheirMaxSectors() throws {
        let fake = try Self.tree()
        let sysfs = Sysfs(root: fake.root)
        let identities = try [(Self.fcDisk, 48), (Self.iscsiDisk, 32), (Self.sasDisk, 0)].map { try Self.path(sysfs, $0.0, minor: $0.1) }
        let ports: [TransportPort?] = [.fcRemotePort("rport-5:0-2"), .iscsiSession("session1"), .sasEndDevice("end_device-0:0")]
        #expect(identities.map(\.transportPort) == ports)
        let paths = identities.map { ($0, Self.timeouts($0)) }
        // no_path_retry 6 x 5 s raises dev_loss_tmo from 20 to 30.
        let tuning = PathTuning(
            map: "mpatha", paths: paths, noPathRetry: .retries(6), pollingInterval: 5, maxSectorsKB: 256, reload: false)
        let report = tuning.carryOut(read: sysfs.reader, write: sysfs.writer)
        #expect(report.refused == [])
        #expect(sysfs.text("class/fc_remote_ports/rport-5:0-2/fast_io_fail_tmo") == "5")
        #expect(sysfs.text("class/fc_remote_ports/rport-5:0-2/dev_loss_tmo") == "30")
        #expect(sysfs.text("class/iscsi_session/session1/recovery_tmo") == "5")
        #expect(sysfs.text("class/sas_end_device/end_device-0:0/I_T_nexus_loss_timeout") == "30")
        for host in [5, 3, 0] { #expect(sysfs.text("class/scsi_host/host\(host)/eh_deadline") == "7") }
        for disk in [Self.fcDisk, Self.iscsiDisk, Self.sasDisk] { #expect(sysfs.text("\(disk)/queue/max_sectors_kb") == "256") }
        #expect(report.notes == ["mpatha: Raising dev_loss_tmo to 30 because of no_path_retry setting"])
        // Everything holds its value now: a second build writes nothing.
        let again = tuning.carryOut(read: sysfs.reader, write: sysfs.writer)
        #expect(again.written == [])
    }

    @Test func anAbsentAttributeIsRefusedNotCreated() throws {
        let fake = try FakeSysfs()
        let sysfs = Sysfs(root: fake.root)
        guard case .failed = sysfs.write("class/scsi_host/host9/eh_deadline", "7") else {
            Issue.record("written")
            return
        }
        #expect(sysfs.read("class/scsi_host/host9/eh_deadline") == nil)
    }
}
