import MultipathCore
import Testing

@Suite struct PathFromUeventTests {
    static let sdbPath = "/devices/pseudo_0/adapter0/host2/target2:0:0/2:0:0:0/block/sdb"
    static let sdbDir = String(sdbPath.dropFirst())

    /// A scsi_debug disk as udev reports it in the lab.
    static let sdb: [String: String] = [
        "ACTION": "add", "SUBSYSTEM": "block", "DEVTYPE": "disk", "DEVPATH": sdbPath,
        "DEVNAME": "/dev/sdb", "MAJOR": "8", "MINOR": "16",
        "ID_SERIAL": "1Linux_scsi_debug_2000", "ID_VENDOR": "Linux", "ID_MODEL": "scsi_debug"
    ]

    /// Its sysfs attributes, with kernel padding and newlines.
    static let sdbSysfs: [String: [UInt8]] = [
        "\(sdbDir)/device/vendor": Array("Linux   \n".utf8),
        "\(sdbDir)/device/model": Array("scsi_debug      \n".utf8),
        "\(sdbDir)/device/rev": Array("0191\n".utf8),
        "\(sdbDir)/size": Array("32768\n".utf8),
        "\(sdbDir)/dev": Array("8:16\n".utf8),
        // Standard INQUIRY: byte 5 = 0x10, TPGS implicit.
        "\(sdbDir)/device/inquiry": [0x00, 0x00, 0x07, 0x02, 0x5b, 0x10, 0x00, 0x02],
        "\(sdbDir)/device/vpd_pg80": [0x00, 0x80, 0x00, 0x06] + Array("  2000".utf8),
        "\(sdbDir)/device/vpd_pg83": [0x00, 0x83, 0x00, 0x04, 0x01, 0x03, 0x00, 0x00]
    ]

    static let sdbIdentity = PathIdentity(
        name: "sdb", devT: DevT(major: 8, minor: 16), hctl: HCTL(host: 2, channel: 0, target: 0, lun: 0),
        vendor: "Linux", product: "scsi_debug", revision: "0191", wwid: "1Linux_scsi_debug_2000", serial: "2000",
        sizeSectors: 32768, transport: .scsi(.unspecified), tpgs: 1)

    /// Stands in for the VPD 0x83 decoder: any page 0x83 gives one fixed WWID.
    static func vpd83(_ page: [UInt8]) -> String? { page.count > 1 && page[1] == 0x83 ? "333333300000007d0" : nil }

    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var properties: [String: String]
        var sysfs: [String: [UInt8]] = sdbSysfs
        var uidAttribute = "ID_SERIAL"
        var expected: Result<PathIdentity, PathRejection>
    }

    static func with(_ changes: [String: String?], to base: [String: String] = sdb) -> [String: String] {
        var p = base
        for (k, v) in changes { p[k] = v }
        return p
    }

    static func identity(_ change: (inout PathIdentity) -> Void) -> Result<PathIdentity, PathRejection> {
        var p = sdbIdentity
        change(&p)
        return .success(p)
    }

    static let fcPath = "/devices/pci0000:00/0000:00:03.0/host5/rport-5:0-2/target5:0:1/5:0:1:3/block/sdd"
    static let fcSysfs: [String: [UInt8]] = [
        "class/fc_host/host5/node_name": Array("0x20000024ff000001\n".utf8),
        "class/fc_host/host5/port_name": Array("0x21000024ff000001\n".utf8),
        "class/fc_transport/target5:0:1/node_name": Array("0x50060e8000000001\n".utf8),
        "class/fc_transport/target5:0:1/port_name": Array("0x50060e8000000011\n".utf8)
    ]

    static let cases: [Case] = [
        Case(testDescription: "scsi_debug disk", properties: sdb, expected: .success(sdbIdentity)),
        Case(
            testDescription: "no uid property: WWID from VPD 0x83", properties: with(["ID_SERIAL": nil]),
            expected: identity { $0.wwid = "333333300000007d0" }),
        Case(
            testDescription: "blank uid property: WWID from VPD 0x83", properties: with(["ID_SERIAL": "   "]),
            expected: identity { $0.wwid = "333333300000007d0" }),
        Case(
            testDescription: "no uid property, no VPD: kept without WWID", properties: with(["ID_SERIAL": nil]),
            sysfs: sdbSysfs.filter { !$0.key.hasSuffix("vpd_pg83") }, expected: identity { $0.wwid = nil }),
        Case(
            testDescription: "trailing blanks trimmed", properties: with(["ID_SERIAL": "36001405abc \n"]),
            expected: identity { $0.wwid = "36001405abc" }),
        Case(
            testDescription: "configured uid_attribute", properties: with(["ID_WWN": "0x33333330000007d0"]),
            uidAttribute: "ID_WWN", expected: identity { $0.wwid = "0x33333330000007d0" }),
        Case(
            testDescription: "no sysfs at all: udev names and no WWID", properties: with(["ID_SERIAL": nil]), sysfs: [:],
            expected: identity {
                $0.wwid = nil
                $0.revision = ""
                $0.serial = ""
                $0.sizeSectors = 0
                $0.tpgs = 0
            }),
        Case(
            testDescription: "serial from udev when VPD 0x80 is absent", properties: with(["ID_SCSI_SERIAL": "SN9"]),
            sysfs: sdbSysfs.filter { !$0.key.hasSuffix("vpd_pg80") }, expected: identity { $0.serial = "SN9" }),
        Case(
            testDescription: "malformed MAJOR: dev_t from sysfs", properties: with(["MAJOR": "eight"]),
            expected: .success(sdbIdentity)),
        Case(
            testDescription: "no MAJOR/MINOR and no sysfs dev", properties: with(["MAJOR": nil, "MINOR": nil]),
            sysfs: sdbSysfs.filter { !$0.key.hasSuffix("/dev") }, expected: .failure(.noDevT("sdb"))),
        Case(testDescription: "no DEVNAME: name from DEVPATH", properties: with(["DEVNAME": nil]), expected: .success(sdbIdentity)),
        Case(
            testDescription: "no DEVNAME, no DEVPATH", properties: with(["DEVNAME": nil, "DEVPATH": nil]),
            expected: .failure(.noKernelName)),
        Case(
            testDescription: "no DEVPATH: attributes through /sys/block", properties: with(["DEVPATH": nil]),
            sysfs: ["block/sdb/size": Array("2048\n".utf8)],
            expected: .success(
                PathIdentity(
                    name: "sdb", devT: DevT(major: 8, minor: 16), vendor: "Linux", product: "scsi_debug",
                    wwid: "1Linux_scsi_debug_2000", sizeSectors: 2048, transport: .undefined))),
        Case(
            testDescription: "garbage H:C:T:L", properties: with(["DEVPATH": "/devices/x/host2/2:0:zero:0/block/sdb"]),
            expected: .success(
                PathIdentity(
                    name: "sdb", devT: DevT(major: 8, minor: 16), vendor: "Linux", product: "scsi_debug",
                    wwid: "1Linux_scsi_debug_2000", transport: .undefined))),
        Case(
            testDescription: "partition", properties: with(["DEVTYPE": "partition", "DEVNAME": "/dev/sdb1"]),
            expected: .failure(.partition("sdb1"))),
        Case(
            testDescription: "device-mapper node", properties: with(["DEVNAME": "/dev/dm-0", "DM_NAME": "mpatha"]),
            expected: .failure(.deviceMapper("dm-0"))),
        Case(
            testDescription: "other subsystem", properties: with(["SUBSYSTEM": "scsi_device"]),
            expected: .failure(.notBlockDevice(subsystem: "scsi_device"))),
        Case(
            testDescription: "no inquiry, alua handler attached",
            properties: sdb,
            sysfs: sdbSysfs.filter { !$0.key.hasSuffix("inquiry") }.merging(["\(sdbDir)/device/dh_state": Array("alua\n".utf8)]) { a, _ in a
            },
            expected: identity {
                $0.tpgs = 1
                $0.attachedHandler = "alua"
            }),
        Case(
            testDescription: "no inquiry, no handler", properties: sdb, sysfs: sdbSysfs.filter { !$0.key.hasSuffix("inquiry") },
            expected: identity { $0.tpgs = 0 }),
        Case(
            testDescription: "fibre channel", properties: with(["DEVPATH": fcPath, "DEVNAME": "/dev/sdd", "MINOR": "48"]),
            sysfs: fcSysfs,
            expected: .success(
                PathIdentity(
                    name: "sdd", devT: DevT(major: 8, minor: 48), hctl: HCTL(host: 5, channel: 0, target: 1, lun: 3),
                    vendor: "Linux", product: "scsi_debug", wwid: "1Linux_scsi_debug_2000", transport: .scsi(.fcp),
                    fc: FibreChannelNames(
                        hostNodeName: "0x20000024ff000001", hostPortName: "0x21000024ff000001",
                        targetNodeName: "0x50060e8000000001", targetPortName: "0x50060e8000000011"),
                    transportPort: .fcRemotePort("rport-5:0-2")))),
        Case(
            testDescription: "fibre channel without target names",
            properties: with(["DEVPATH": fcPath, "DEVNAME": "/dev/sdd", "MINOR": "48"]),
            sysfs: fcSysfs.filter { $0.key.hasPrefix("class/fc_host") },
            expected: .success(
                PathIdentity(
                    name: "sdd", devT: DevT(major: 8, minor: 48), hctl: HCTL(host: 5, channel: 0, target: 1, lun: 3),
                    vendor: "Linux", product: "scsi_debug", wwid: "1Linux_scsi_debug_2000", transport: .scsi(.fcp),
                    transportPort: .fcRemotePort("rport-5:0-2")))),
        Case(
            testDescription: "iSCSI",
            properties: with([
                "DEVPATH": "/devices/platform/host3/session1/target3:0:0/3:0:0:1/block/sdc", "DEVNAME": "/dev/sdc", "MINOR": "32"
            ]),
            sysfs: [:],
            expected: .success(
                PathIdentity(
                    name: "sdc", devT: DevT(major: 8, minor: 32), hctl: HCTL(host: 3, channel: 0, target: 0, lun: 1),
                    vendor: "Linux", product: "scsi_debug", wwid: "1Linux_scsi_debug_2000", transport: .scsi(.iscsi),
                    transportPort: .iscsiSession("session1")))),
        Case(
            testDescription: "SAS",
            properties: with(["DEVPATH": "/devices/pci0000:00/0000:00:1f.0/host0/port-0:0/end_device-0:0/target0:0:0/0:0:0:0/block/sda"]),
            sysfs: [:],
            expected: .success(
                PathIdentity(
                    name: "sdb", devT: DevT(major: 8, minor: 16), hctl: HCTL(host: 0, channel: 0, target: 0, lun: 0),
                    vendor: "Linux", product: "scsi_debug", wwid: "1Linux_scsi_debug_2000", transport: .scsi(.sas),
                    transportPort: .sasEndDevice("end_device-0:0")))),
        Case(
            testDescription: "NVMe namespace",
            properties: [
                "SUBSYSTEM": "block", "DEVTYPE": "disk", "DEVPATH": "/devices/pci0000:00/0000:00:04.0/nvme/nvme0/nvme0n1",
                "DEVNAME": "/dev/nvme0n1", "MAJOR": "259", "MINOR": "0", "ID_WWN": "eui.0025388b91b2c3d4", "ID_MODEL": "Samsung SSD"
            ],
            sysfs: ["devices/pci0000:00/0000:00:04.0/nvme/nvme0/nvme0n1/size": Array("1000215216\n".utf8)],
            uidAttribute: "ID_WWN",
            expected: .success(
                PathIdentity(
                    name: "nvme0n1", devT: DevT(major: 259, minor: 0), vendor: "NVME", product: "Samsung SSD",
                    wwid: "eui.0025388b91b2c3d4", sizeSectors: 1000215216, transport: .nvme(.unspecified),
                    transportPort: .nvmeController("nvme0")))),
        Case(
            testDescription: "NVMe/TCP namespace: vendor NVME, the controller's model, firmware, serial and transport",
            properties: [
                "SUBSYSTEM": "block", "DEVTYPE": "disk", "DEVPATH": "/devices/virtual/nvme-fabrics/ctl/nvme1/nvme1n1",
                "DEVNAME": "/dev/nvme1n1", "MAJOR": "259", "MINOR": "2", "ID_WWN": "uuid.5a1f7e00-1abc-4d00-9000-000000000058",
                "ID_MODEL": "udev model"
            ],
            sysfs: nvmeTCP(dir: "devices/virtual/nvme-fabrics/ctl/nvme1/nvme1n1"),
            uidAttribute: "ID_WWN",
            expected: .success(nvmeTCPIdentity)),
        Case(
            testDescription: "NVMe namespace without ID_WWN: its sysfs wwid, as 0.9.4's uid fallback",
            properties: [
                "SUBSYSTEM": "block", "DEVTYPE": "disk", "DEVPATH": "/devices/virtual/nvme-fabrics/ctl/nvme1/nvme1n1",
                "DEVNAME": "/dev/nvme1n1", "MAJOR": "259", "MINOR": "2"
            ],
            sysfs: nvmeTCP(dir: "devices/virtual/nvme-fabrics/ctl/nvme1/nvme1n1"),
            uidAttribute: "ID_WWN",
            expected: .success(nvmeTCPIdentity)),
        Case(
            testDescription: "a hidden path of native NVMe multipath is not a path",
            properties: [
                "SUBSYSTEM": "block", "DEVTYPE": "disk", "DEVPATH": "/devices/virtual/nvme-fabrics/ctl/nvme1/nvme0c1n1",
                "DEVNAME": "/dev/nvme0c1n1", "MAJOR": "259", "MINOR": "3"
            ],
            sysfs: [:], uidAttribute: "ID_WWN", expected: .failure(.notNVMeNamespace("nvme0c1n1"))),
        Case(
            testDescription: "the head of native NVMe multipath is not a path",
            properties: [
                "SUBSYSTEM": "block", "DEVTYPE": "disk", "DEVPATH": "/devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n1",
                "DEVNAME": "/dev/nvme0n1", "MAJOR": "259", "MINOR": "1"
            ],
            sysfs: [:], uidAttribute: "ID_WWN", expected: .failure(.notNVMeNamespace("nvme0n1")))
    ]

    /// What `nvmeTCP(dir:)`'s namespace is, whether its WWID comes from `ID_WWN` or from sysfs.
    static let nvmeTCPIdentity = PathIdentity(
        name: "nvme1n1", devT: DevT(major: 259, minor: 2), vendor: "NVME", product: nvmetModel, revision: "6.1.0-28",
        wwid: "uuid.5a1f7e00-1abc-4d00-9000-000000000058", serial: nvmetSerial, sizeSectors: 131072,
        transport: .nvme(.tcp), transportPort: .nvmeController("nvme1"))

    /// A namespace of an NVMe/TCP controller on a Linux nvmet target, as sysfs shows it: the model and
    /// serial padded with blanks to their Identify Controller fields (40 and 20 bytes), kept as 0.9.4 keeps them.
    static func nvmeTCP(dir: String) -> [String: [UInt8]] {
        [
            "\(dir)/size": "131072\n", "\(dir)/wwid": "uuid.5a1f7e00-1abc-4d00-9000-000000000058\n",
            "\(dir)/device/model": nvmetModel + "\n", "\(dir)/device/serial": nvmetSerial + "\n",
            "\(dir)/device/firmware_rev": "6.1.0-28\n", "\(dir)/device/transport": "tcp\n", "\(dir)/device/state": "live\n"
        ].mapValues { Array($0.utf8) }
    }
    static let nvmetModel = "Linux" + String(repeating: " ", count: 35)
    static let nvmetSerial = "5a1f7e0058" + String(repeating: " ", count: 10)

    @Test(arguments: cases)
    func pathFromProperties(_ c: Case) {
        let got = PathIdentity.fromUevent(c.properties, uidAttribute: c.uidAttribute, sysfs: { c.sysfs[$0] }, wwidFromVPD83: Self.vpd83)
        #expect(got == c.expected)
    }

    @Test func defaultDecoderReadsTheVPDPageTheWayMultipathToolsDoes() {
        // scsi_debug's page 0x83: a T10 vendor id and a locally assigned NAA for the LU.
        var page: [UInt8] = [0x02, 0x01, 0, 28] + Array("Linux   scsi_debug      2000".utf8)
        page += [0x01, 0x03, 0, 8, 0x33, 0x33, 0x33, 0x30, 0x00, 0x00, 0x07, 0xd0]
        var sysfs = Self.sdbSysfs
        sysfs["\(Self.sdbDir)/device/vpd_pg83"] = [0x00, 0x83, 0, UInt8(page.count)] + page
        let got = PathIdentity.fromUevent(Self.with(["ID_SERIAL": nil]), sysfs: { sysfs[$0] })
        #expect(got == .success(Self.sdbIdentity))
    }

    /// The core names what it reads; the edge reads each attribute once, and everything after (the
    /// identity under another uid_attribute, the checker's timeout, detect_prio's test) decides from
    /// the value. An FC host's names are asked for only once the host shows the path is on FC.
    @Test func theFactsAreReadOnceInTheRoundsTheCoreAsksFor() throws {
        var sysfs = Self.sdbSysfs
        sysfs["\(Self.sdbDir)/device/timeout"] = Array("45\n".utf8)
        sysfs["\(Self.sdbDir)/device/access_state"] = Array("active/optimized\n".utf8)
        sysfs["\(Self.sdbDir)/queue/logical_block_size"] = Array("4096\n".utf8)
        var reads: [String] = []
        let facts = PathFacts.gather(
            Self.sdb,
            read: {
                reads.append($0)
                return sysfs[$0]
            })
        #expect(Set(reads).count == reads.count)
        #expect(!reads.contains("\(Self.sdbDir)/dev"))  // udev gave MAJOR and MINOR
        #expect(reads.contains("class/fc_host/host2/port_name") && !reads.contains("class/fc_host/host2/node_name"))
        #expect(facts.attributesNeeded.isEmpty)
        #expect(PathIdentity.identify(facts) == .success(Self.sdbIdentity))
        #expect(facts.blockSize == 4096 && facts.hasAccessState && facts.targetPortGroup == nil)
        // checker_timeout when configured, else the SCSI device's timeout, else 30 s.
        #expect(facts.checkerTimeout(configured: 5) == .seconds(5) && facts.checkerTimeout(configured: nil) == .seconds(45))
        #expect(PathFacts.gather(Self.sdb, read: { Self.sdbSysfs[$0] }).checkerTimeout(configured: nil) == .seconds(30))

        reads = []
        sysfs["class/fc_host/host2/port_name"] = Array("0x21000024ff000001\n".utf8)
        _ = PathFacts.gather(
            Self.sdb,
            read: {
                reads.append($0)
                return sysfs[$0]
            })
        #expect(
            reads.suffix(3) == [
                "class/fc_host/host2/node_name", "class/fc_transport/target2:0:0/node_name",
                "class/fc_transport/target2:0:0/port_name"
            ])
    }

    @Test func rejectionsReadWell() {
        #expect(PathRejection.partition("sdb1").description == "sdb1 is a partition")
        #expect(PathRejection.noDevT("sdb").description == "sdb has no valid MAJOR/MINOR")
    }
}
