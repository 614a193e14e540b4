import Foundation
import MultipathCore
import MultipathSystem
import Testing

@Suite struct UdevTriggerTests {
    /// The action goes to the disk's `uevent` and its partitions', through the block/ link.
    @Test func triggerWritesTheDiskAndItsPartitions() throws {
        let fake = try FakeSysfs()
        try fake.write("\(FakeSysfs.devPath)/uevent", "")
        try fake.write("\(FakeSysfs.devPath)/sdb1/uevent", "")
        try Sysfs(root: fake.root).triggerUevent("sdb", .change)
        let read = { (p: String) in try String(contentsOfFile: "\(fake.root)/\(FakeSysfs.devPath)/\(p)", encoding: .utf8) }
        #expect(try read("uevent") == "change" && read("sdb1/uevent") == "change")
        #expect(throws: SystemError.self) { try Sysfs(root: fake.root).triggerUevent("sdz", .add) }
    }

    /// One empty file per WWID; the directory (and its parent) made on the first mark.
    @Test func failedWWIDsAreFilesInTheirDirectory() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("failed-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let dir = base + "/failed_wwids"
        #expect(FailedWWIDsDirectory.list(dir).isEmpty)
        try FailedWWIDsDirectory.mark("3600a", in: dir)
        try FailedWWIDsDirectory.mark("3600a", in: dir)
        try FailedWWIDsDirectory.mark("3600b", in: dir)
        #expect(FailedWWIDsDirectory.list(dir).sorted() == ["3600a", "3600b"])
        try FailedWWIDsDirectory.unmark("3600a", in: dir)
        try FailedWWIDsDirectory.unmark("3600a", in: dir)
        #expect(FailedWWIDsDirectory.list(dir) == ["3600b"])
    }
}
