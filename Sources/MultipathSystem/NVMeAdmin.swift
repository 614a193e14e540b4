import CLinux
import Glibc
import MultipathCore

/// NVMe admin commands without a blocking ioctl: `IORING_OP_URING_CMD` with `NVME_URING_CMD_ADMIN` on a
/// controller's char device (`/dev/nvmeX`, Linux 5.19 and later), one ring for every controller. 0.9.4
/// uses the synchronous `NVME_IOCTL_ADMIN_CMD`, which on a cut link waits out the command's timeout.
/// Like `DirectIOContext` it does not own the loop: register `ring.fd` for EPOLLIN, call
/// `handleReadable()`, keep a timer at `earliestDeadline` and call `expire(now:)`.
///
/// Each command carries its own `timeout_ms`, after which the kernel ends it; the deadline here is a
/// second later, in case it does not. A command's buffers stay allocated until its completion is
/// reaped, even after it was reported as timed out.
public final class NVMeAdminContext {
    /// Commands in flight at most, over all controllers (the submission ring's size).
    public static let capacity = 64

    public let ring: IOURing
    public private(set) var lateCompletions = 0

    private struct Buffers {
        let data: UnsafeMutableRawPointer
        let length: Int
    }

    private let records = InFlightTable<Buffers, NVMeAdminOutcome>(capacity: NVMeAdminContext.capacity) { $0.data.deallocate() }

    private var isClosed = false

    public init() throws(SystemError) {
        ring = try IOURing(entries: Self.capacity)
    }

    deinit { close() }

    /// Opens a controller's char device. A controller that is not `live` refuses (EAGAIN).
    public static func openController(_ path: String) throws(SystemError) -> FileDescriptor {
        try FileDescriptor.open(path, O_RDONLY)
    }

    public var inFlight: Int { records.count }
    public var earliestDeadline: Instant? { records.earliestDeadline }

    public func submit(
        _ command: NVMeAdminCommand, controller fd: FileDescriptor, timeout: Duration, now: Instant,
        completion: @escaping (NVMeAdminOutcome) -> Void
    ) throws(SystemError) {
        precondition(!isClosed, "NVMeAdminContext used after close")
        guard !records.isFull else { throw SystemError("io_uring: \(Self.capacity) NVMe commands in flight", .busy) }
        let id = records.nextID()
        let data = UnsafeMutableRawPointer.allocate(byteCount: max(command.dataLength, 1), alignment: 4096)
        // Zeroed: a controller may return less than asked, and the rest is read as its answer.
        data.initializeMemory(as: UInt8.self, repeating: 0, count: max(command.dataLength, 1))
        let milliseconds = UInt32(clamping: timeout.nanosecondsClamped / 1_000_000)
        let cmd = command.uringCommand(dataAddress: UInt64(UInt(bitPattern: data)), timeoutMilliseconds: milliseconds)
        do {
            try ring.submit(opcode: UInt8(IORING_OP_URING_CMD.rawValue), fd: fd, userData: id) { sqe in
                sqe.storeBytes(of: CLinux_NVME_URING_CMD_ADMIN, toByteOffset: 8, as: UInt32.self)  // cmd_op
                cmd.withUnsafeBytes { (sqe + 48).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            }
        } catch {
            data.deallocate()
            throw error
        }
        records.insert(
            id: id, resources: Buffers(data: data, length: command.dataLength), deadline: now + timeout + .seconds(1),
            completion: completion)
    }

    /// Delivers every finished command.
    public func handleReadable() {
        for c in ring.reap() {
            let finished = records.finish(c.userData) { b in
                if c.result < 0 { return .failed(Errno(rawValue: -c.result).description) }
                if c.result > 0 { return .status(c.result) }
                return .completed(Array(UnsafeRawBufferPointer(start: b.data, count: b.length)))
            }
            if finished == .late { lateCompletions += 1 }
        }
    }

    /// Reports commands past their deadline as `.timedOut`; each keeps its buffer until it is reaped.
    public func expire(now: Instant) {
        handleReadable()
        records.expire(now: now, as: .timedOut)
    }

    /// Only at exit. Closing the ring does not wait for commands still in the kernel, which would then
    /// write into freed buffers: while one is out its table (and buffers) are leaked on purpose.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        handleReadable()
        if records.count > 0 {
            records.reportAll(.failed("NVMe admin ring closed"))
            _ = Unmanaged.passRetained(records)
        }
        ring.close()
    }
}
