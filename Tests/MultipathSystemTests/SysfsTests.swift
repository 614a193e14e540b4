import Foundation
import MultipathCore
import MultipathSystem
import Testing

/// A fake sysfs tree in a temporary directory: one scsi_debug disk, linked the way the kernel links it.
final class FakeSysfs {
    let root: String
    static let devPath = "devices/pseudo_0/adapter0/host2/target2:0:0/2:0:0:0/block/sdb"

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("fake-sysfs-\(UUID().uuidString)").path
        let disk = "\(root)/\(Self.devPath)"
        try write("\(Self.devPath)/size", "32768\n")
        try write("\(Self.devPath)/dev", "8:16\n")
        try write("devices/pseudo_0/adapter0/host2/target2:0:0/2:0:0:0/vendor", "Linux   \n")
        try write("devices/pseudo_0/adapter0/host2/target2:0:0/2:0:0:0/model", "scsi_debug      \n")
        try write("devices/pseudo_0/adapter0/host2/target2:0:0/2:0:0:0/rev", "0191\n")
        try write("devices/pseudo_0/adapter0/host2/target2:0:0/2:0:0:0/state", "running\n")
        try write("devices/pseudo_0/adapter0/host2/target2:0:0/2:0:0:0/timeout", "30\n")
        try write("devices/pseudo_0/adapter0/host2/target2:0:0/2:0:0:0/wwid", "naa.33333330000007d0\n")
        try write("devices/pseudo_0/adapter0/host2/target2:0:0/2:0:0:0/access_state", "active/optimized\n")
        try write(
            "devices/pseudo_0/adapter0/host2/target2:0:0/2:0:0:0/vpd_pg83",
            Data([0x00, 0x83, 0x00, 0x0c, 0x01, 0x03, 0x00, 0x08, 0x33, 0x33, 0x33, 0x30, 0x00, 0x00, 0x07, 0xd0]))
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: "\(disk)/device", withDestinationPath: "../../../2:0:0:0")
        try fm.createDirectory(atPath: "\(root)/block", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: "\(root)/block/sdb", withDestinationPath: "../\(Self.devPath)")
    }

    func write(_ path: String, _ text: String) throws { try write(path, Data(text.utf8)) }

    func write(_ path: String, _ data: Data) throws {
        let url = URL(fileURLWithPath: "\(root)/\(path)")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    /// Removes the tree: keep the object alive for as long as the tree is read.
    deinit { try? FileManager.default.removeItem(atPath: root) }
}

@Suite struct SysfsTests {
    /// As udev lists them (0.9.4's `show devices`): by where the entries link under devices/, not by name.
    @Test func blockDevicesInUdevOrder() throws {
        let fake = try FakeSysfs()
        let fm = FileManager.default
        for (name, target) in [
            ("sda", "../devices/pseudo_0/adapter0/host3/target3:0:0/3:0:0:0/block/sda"),
            ("dm-0", "../devices/virtual/block/dm-0"),
            ("sdc", "../devices/pseudo_0/adapter0/host1/target1:0:0/1:0:0:0/block/sdc")
        ] {
            try fm.createSymbolicLink(atPath: "\(fake.root)/block/\(name)", withDestinationPath: target)
        }
        #expect(Sysfs(root: fake.root).blockDevices() == ["sdc", "sdb", "sda", "dm-0"])
        #expect(Sysfs(root: fake.root + "/nothing").blockDevices() == [])
    }

    @Test func readsTextAndBytesThroughLinks() throws {
        let fake = try FakeSysfs()
        let sysfs = Sysfs(root: fake.root)
        #expect(sysfs.text("block/sdb/size") == "32768")
        #expect(sysfs.text("block/sdb/device/vendor") == "Linux")
        #expect(sysfs.read("block/sdb/device/vpd_pg83")?.count == 16)
        #expect(sysfs.read("/block/sdb/size") == Array("32768\n".utf8))
    }

    @Test func missingFilesAreNil() throws {
        let fake = try FakeSysfs()
        let sysfs = Sysfs(root: fake.root)
        #expect(sysfs.read("block/sdb/size") != nil)
        #expect(sysfs.read("block/sdz/size") == nil)
        #expect(sysfs.text("block/sdb/device/dh_state") == nil)
        #expect(sysfs.linkTarget("block/sdb/size") == nil)
        #expect(sysfs.hctl(ofDisk: "sdz") == nil)
    }

    @Test func readsAreBounded() throws {
        let fake = try FakeSysfs()
        try fake.write("big", Data(repeating: 0x41, count: 100_000))
        let sysfs = Sysfs(root: fake.root)
        #expect(sysfs.read("big", limit: 10) == Array(repeating: 0x41, count: 10))
        #expect(sysfs.read("big", limit: 5000)?.count == 5000)
        #expect(sysfs.read("big")?.count == Sysfs.readLimit)
    }

    @Test func diskAttributes() throws {
        let fake = try FakeSysfs()
        let sysfs = Sysfs(root: fake.root)
        #expect(sysfs.hctl(ofDisk: "sdb") == HCTL(host: 2, channel: 0, target: 0, lun: 0))
    }

    @Test func pathIdentityFromAUeventAndTheFakeTree() throws {
        let fake = try FakeSysfs()
        let sysfs = Sysfs(root: fake.root)
        // No uid property: VPD 0x83 from the tree gives the WWID.
        let event = Uevent(
            action: .add, sysname: "sdb",
            properties: [
                ("SUBSYSTEM", "block"), ("DEVTYPE", "disk"), ("DEVPATH", "/\(FakeSysfs.devPath)"),
                ("DEVNAME", "/dev/sdb"), ("MAJOR", "8"), ("MINOR", "16")
            ])
        var seenPage: [UInt8] = []
        let p = try sysfs.pathIdentity(
            of: event,
            wwidFromVPD83: {
                seenPage = $0
                return "333333300000007d0"
            }
        ).get()
        #expect(seenPage.prefix(2) == [0x00, 0x83])
        #expect(
            p
                == PathIdentity(
                    name: "sdb", devT: DevT(major: 8, minor: 16), hctl: HCTL(host: 2, channel: 0, target: 0, lun: 0),
                    vendor: "Linux", product: "scsi_debug", revision: "0191", wwid: "333333300000007d0",
                    sizeSectors: 32768, transport: .scsi(.unspecified)))
        #expect(p.hctl == sysfs.hctl(ofDisk: "sdb"))
    }
}
