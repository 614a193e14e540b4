import CLinux
import Glibc
import MultipathCore

/// The device-mapper control node, spoken to with raw ioctls: the interface version, event polling
/// (DM_DEV_ARM_POLL, then the fd turns readable on the next DM event anywhere) and the device list
/// with each device's event number.
public final class DMControl {
    public static let defaultPath = "/dev/mapper/control"
    /// DM_DEV_ARM_POLL and event numbers in DM_LIST_DEVICES came with interface 4.37 (Linux 4.14).
    public static let minimumVersion = (major: UInt32(4), minor: UInt32(37))

    public let path: String
    public let fileDescriptor: FileDescriptor
    public let version: (major: UInt32, minor: UInt32, patch: UInt32)
    /// ioctl buffer (header + data area), 8-byte aligned, grown when the kernel says it is full.
    private var buffer: UnsafeMutableRawBufferPointer

    /// Throws when the kernel has no device-mapper (no control node: ENOENT; node without driver: ENODEV),
    /// when `path` is not a control node (ENOTTY), or when the interface is older than 4.37 (ENOTSUP).
    public init(path: String = defaultPath) throws(SystemError) {
        self.path = path
        fileDescriptor = try FileDescriptor.open(path, O_RDWR)
        buffer = .allocate(byteCount: 16 << 10, alignment: 8)
        do throws(SystemError) {
            let header = try Self.ioctl(fileDescriptor, CLinux_DM_VERSION, "DM_VERSION on \(path)", buffer, version: (4, 0, 0))
            version = (header.version.0, header.version.1, header.version.2)
            if version.major != Self.minimumVersion.major || version.minor < Self.minimumVersion.minor {
                throw SystemError(
                    "device-mapper interface \(version.major).\(version.minor).\(version.patch) on \(path) (need 4.37 or later)",
                    Errno(rawValue: ENOTSUP))
            }
        } catch {
            buffer.deallocate()
            fileDescriptor.close()
            throw error
        }
    }

    deinit {
        buffer.deallocate()
        fileDescriptor.close()
    }

    public var versionString: String { "\(version.major).\(version.minor).\(version.patch)" }

    /// Makes the fd readable at the next DM event after this call; it stays readable until re-armed.
    public func armPoll() throws(SystemError) {
        _ = try Self.ioctl(fileDescriptor, CLinux_DM_DEV_ARM_POLL, "DM_DEV_ARM_POLL", buffer)
    }

    public func listDevices() throws(SystemError) -> [DMDevice] {
        while true {
            let header = try Self.ioctl(fileDescriptor, CLinux_DM_LIST_DEVICES, "DM_LIST_DEVICES", buffer)
            if header.flags & UInt32(DM_BUFFER_FULL_FLAG) != 0 {
                let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 8)
                buffer.deallocate()
                buffer = bigger
                continue
            }
            let start = Int(header.data_start), end = min(Int(header.data_size), buffer.count)
            // No devices: the kernel reports an empty data area.
            if end == start { return [] }
            guard start < end, let devices = DMDevice.parseNameList(UnsafeRawBufferPointer(rebasing: buffer[start..<end])) else {
                throw SystemError("DM_LIST_DEVICES: malformed reply", Errno(rawValue: EPROTO))
            }
            return devices
        }
    }

    /// One request with a bare header (no input data) over the whole buffer; returns the header the kernel wrote back.
    private static func ioctl(
        _ fd: FileDescriptor, _ request: UInt, _ call: String, _ buffer: UnsafeMutableRawBufferPointer,
        version: (UInt32, UInt32, UInt32) = (4, 37, 0)
    ) throws(SystemError) -> dm_ioctl {
        var header = dm_ioctl()
        header.version = version
        header.data_size = UInt32(buffer.count)
        header.data_start = UInt32(MemoryLayout<dm_ioctl>.size)
        buffer.storeBytes(of: header, as: dm_ioctl.self)
        _ = try fd.ioctl(request, buffer.baseAddress!).get(call)
        return buffer.load(as: dm_ioctl.self)
    }
}
