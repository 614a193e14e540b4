import Glibc
import MultipathCore

/// Bounded reads of sysfs attributes under a root: `/sys`, or a fake tree in tests.
///
/// The SCSI attributes read here (vendor, state, VPD pages, inquiry...) are cached by the kernel:
/// reading them does no I/O to the device, so they are safe on the loop even for a hung path.
public struct Sysfs: Sendable {
    public var root: String

    /// The largest file read: a VPD page (4-byte header + 65535 bytes). Text attributes are far smaller.
    public static let readLimit = 65_540

    public init(root: String = "/sys") {
        self.root = root
    }

    private func full(_ path: String) -> String {
        path.hasPrefix("/") ? root + path : root + "/" + path
    }

    /// Up to `limit` bytes of the file at `path` (relative to the root); nil when absent or unreadable.
    public func read(_ path: String, limit: Int = Sysfs.readLimit) -> [UInt8]? {
        FileDescriptor.readFile(full(path), limit: limit, shortReadEnds: true)
    }

    /// The attribute as text, without padding, newline or NULs.
    public func text(_ path: String) -> String? {
        read(path, limit: 4096).map(sysfsText)
    }

    /// The last component of a symbolic link's target (`block/sdb/device` -> `2:0:0:0`).
    public func linkTarget(_ path: String) -> String? {
        link(path)?.split(separator: "/").last.map(String.init)
    }

    /// A symbolic link's target as written (`../devices/pseudo_0/.../block/sda`).
    func link(_ path: String) -> String? {
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX))
        let n = readlink(full(path), &buf, buf.count - 1)
        guard n > 0 else { return nil }
        return buf[..<n].withUnsafeBufferPointer { String(decoding: UnsafeRawBufferPointer($0), as: UTF8.self) }
    }

    /// The names in `block/` in the order udev enumerates block devices, which 0.9.4's `show devices`
    /// follows: by the device's path under `devices/`, where each entry links to.
    public func blockDevices() -> [String] {
        TextFiles.list(full("block")).map { ($0, link("block/\($0)") ?? "") }.sorted { $0.1 < $1.1 }.map(\.0)
    }

    /// This tree as the core's reader.
    public var reader: SysfsReader { { read($0) } }

    /// Writes an attribute (relative to the root) in one `write`, as sysfs takes a value (`O_TRUNC`, as a
    /// shell's `>`, which sysfs ignores and a plain file in a test tree needs): a bounded
    /// call the kernel answers at once (a blocked FC remote port answers EBUSY).
    public func write(_ path: String, _ value: String) -> SysfsWriteOutcome {
        let fd: FileDescriptor
        do { fd = try FileDescriptor.open(full(path), O_WRONLY | O_TRUNC) } catch { return .failed("\(error)") }
        defer { fd.close() }
        let bytes = Array(value.utf8)
        switch bytes.withUnsafeBytes({ fd.write($0) }) {
        case .success(let n) where n == bytes.count: return .written
        case .success(let n): return .failed("wrote \(n) of \(bytes.count) bytes")
        case .failure(.busy): return .busy
        case .failure(let e): return .failed("\(e)")
        }
    }

    /// `write`, for a caller whose failure is an error: the outcome as a thrown `SystemError`.
    public func writeValue(_ path: String, _ value: String) throws(SystemError) {
        switch write(path, value) {
        case .written: return
        case .busy: throw SystemError("write \(full(path))", Errno(rawValue: EBUSY))
        case .failed(let why): throw SystemError("write \(full(path)): \(why)", Errno(rawValue: EIO))
        }
    }

    /// This tree as the core's writer.
    public var writer: SysfsWriter { { write($0, $1) } }

    /// The path a udev event describes, its attributes read from this tree. `wwidFromVPD83` decodes a
    /// VPD page 0x83 into the WWID used when the `uidAttribute` property is missing.
    public func pathIdentity(
        of event: Uevent, uidAttribute: String = "ID_SERIAL",
        wwidFromVPD83: ([UInt8]) -> String? = { DeviceIdentification($0)?.multipathWWID }
    ) -> Result<PathIdentity, PathRejection> {
        PathIdentity.fromUevent(event, uidAttribute: uidAttribute, sysfs: reader, wwidFromVPD83: wwidFromVPD83)
    }

    // Per disk, by kernel name.

    /// The SCSI address, from the disk's `device` link.
    public func hctl(ofDisk disk: String) -> HCTL? {
        linkTarget("block/\(disk)/device").flatMap { HCTL($0) }
    }
}
