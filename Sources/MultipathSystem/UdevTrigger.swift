import Glibc
import MultipathCore

extension Sysfs {
    /// Writes `action` to the disk's `uevent` attribute and to each of its partitions', as `udevadm
    /// trigger` does: the kernel sends the uevent again and udev runs its rules on it.
    public func triggerUevent(_ disk: String, _ action: Uevent.Action) throws(SystemError) {
        try writeValue("block/\(disk)/uevent", action.description)
        // A partition is a directory of the disk named after it (`sda1`).
        for entry in TextFiles.list(root + "/block/\(disk)") where entry.hasPrefix(disk) && entry != disk {
            try writeValue("block/\(disk)/\(entry)/uevent", action.description)
        }
    }
}

/// /run/multipath/failed_wwids, shared with `multipath -u` in udev's rules: one empty file per WWID
/// whose map could not be made.
public enum FailedWWIDsDirectory {
    public static let path = "/run/multipath/failed_wwids"

    public static func list(_ directory: String = path) -> [String] {
        TextFiles.list(directory).filter { !$0.hasPrefix(".") && $0 != "_" }
    }

    public static func mark(_ wwid: String, in directory: String = path) throws(SystemError) {
        // The directory may not exist yet, nor /run/multipath: made by whoever comes first.
        let parent = String(directory[..<(directory.lastIndex(of: "/") ?? directory.startIndex)])
        for dir in [parent, directory] where !dir.isEmpty && mkdir(dir, 0o755) != 0 && errno != EEXIST {
            throw SystemError("mkdir \(dir)", .current)
        }
        let fd = try FileDescriptor.open(directory + "/" + wwid, O_WRONLY | O_CREAT, mode: 0o644)
        fd.close()
    }

    public static func unmark(_ wwid: String, in directory: String = path) throws(SystemError) {
        guard unlink(directory + "/" + wwid) == 0 || errno == ENOENT else { throw SystemError("unlink \(directory)/\(wwid)", .current) }
    }
}
