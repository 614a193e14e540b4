import CLinux
import Glibc
import MultipathCore

/// The directio checker's reads: one O_DIRECT block read per check through Linux AIO (raw syscalls, no
/// libaio), completion signalled on `eventFD`, which the daemon registers for EPOLLIN. One context serves
/// every path. Like `SGDevice` it does not own the loop: keep a timer at `earliestDeadline`, call
/// `expire(now:)` and `handleReadable()`.
///
/// The iocb and the aligned buffer of each read are owned by its record until the kernel's io_event for it
/// is collected, even after the read was reported as timed out. Closing a path's fd early is safe: the
/// kernel holds its own reference to the file until the read ends.
public final class DirectIOContext {
    /// Reads in flight at most, over all paths.
    public static let capacity = 128
    /// A safe alignment and length for O_DIRECT on any logical block size up to 4 KiB.
    public static let defaultBlockSize = 4096

    public var eventFD: FileDescriptor { counter.fd }
    /// Reads that came back after being reported as timed out (collected and discarded).
    public private(set) var lateCompletions = 0

    /// What the kernel writes into until it returns the read.
    private struct Buffers {
        let iocb: UnsafeMutablePointer<iocb>
        let buffer: UnsafeMutableRawPointer
        let length: Int
    }

    private let counter: EventFD
    private var context: aio_context_t = 0
    private let records = InFlightTable<Buffers, DirectReadOutcome>(capacity: DirectIOContext.capacity) {
        $0.iocb.deallocate()
        $0.buffer.deallocate()
    }
    private let events = UnsafeMutablePointer<io_event>.allocate(capacity: 32)
    private var isClosed = false

    /// `syscalls` reads the eventfd (the test seam).
    public init(syscalls: Syscalls = .system) throws(SystemError) {
        counter = try EventFD(syscalls: syscalls)
        if case .failure(let e) = valueOrErrno({ CLinux_io_setup(UInt32(Self.capacity), &context) }) {
            counter.fd.close()
            isClosed = true  // deinit still runs and frees `events`
            throw SystemError("io_setup", e)
        }
    }

    deinit {
        close()
        events.deallocate()
    }

    /// Opens a path's block device (or any file) for O_DIRECT reads.
    public static func open(_ path: String) throws(SystemError) -> FileDescriptor {
        try FileDescriptor.open(path, O_RDONLY | CLinux_O_DIRECT)
    }

    public var inFlight: Int { records.count }

    public var earliestDeadline: Instant? { records.earliestDeadline }

    /// Reads `length` bytes (a multiple of the logical block size) at `offset` of `fd`.
    public func submitRead(
        fd: FileDescriptor, offset: Int64 = 0, length: Int = DirectIOContext.defaultBlockSize,
        timeout: Duration, now: Instant, completion: @escaping (DirectReadOutcome) -> Void
    ) throws(SystemError) {
        precondition(!isClosed, "DirectIOContext used after close")
        guard !records.isFull else { throw SystemError("io_submit: \(Self.capacity) reads in flight", .busy) }
        let id = records.nextID()
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: length, alignment: Self.defaultBlockSize)
        let cb = UnsafeMutablePointer<iocb>.allocate(capacity: 1)
        cb.initialize(to: iocb())
        cb.pointee.aio_data = id
        cb.pointee.aio_lio_opcode = UInt16(IOCB_CMD_PREAD)
        cb.pointee.aio_fildes = UInt32(fd.rawValue)
        cb.pointee.aio_buf = UInt64(UInt(bitPattern: buffer))
        cb.pointee.aio_nbytes = UInt64(length)
        cb.pointee.aio_offset = offset
        cb.pointee.aio_flags = UInt32(IOCB_FLAG_RESFD)
        cb.pointee.aio_resfd = UInt32(eventFD.rawValue)
        var list: UnsafeMutablePointer<iocb>? = cb
        let submitted = valueOrErrno { CLinux_io_submit(context, 1, &list) }
        guard case .success(1) = submitted else {
            cb.deallocate()
            buffer.deallocate()
            if case .failure(let e) = submitted { throw SystemError("io_submit", e) }
            throw SystemError("io_submit: request not taken", .busy)
        }
        records.insert(
            id: id, resources: Buffers(iocb: cb, buffer: buffer, length: length), deadline: now + timeout, completion: completion)
    }

    /// Clears the eventfd and collects every finished read. On an error the owner decides what becomes
    /// of the reads out: see `failOutstanding`.
    public func handleReadable() throws(SystemError) {
        _ = try counter.drain()
        try collect()
    }

    /// Reports every read not yet reported as `.failed(why)`: after an error on the eventfd or in
    /// io_getevents the loop cannot tell when they finish. Each keeps its buffers until the kernel
    /// returns it (collected later and counted as late), as a timed-out read does.
    public func failOutstanding(_ why: String) {
        records.reportAll(.failed(why))
    }

    private func collect() throws(SystemError) {
        var zero = timespec()
        while true {
            let n = try valueOrErrno { CLinux_io_getevents(context, 0, 32, events, &zero) }.get("io_getevents")
            for i in 0..<Int(n) { deliver(events[i]) }
            if n < 32 { return }
        }
    }

    /// Reports reads past their deadline as `.timedOut`; each keeps its buffer until the kernel returns it.
    /// Reads the kernel already finished are collected first, as `SGDevice.expire` does.
    public func expire(now: Instant) {
        try? handleReadable()
        records.expire(now: now, as: .timedOut) { r in
            // Most block drivers cannot cancel a read; where one can, its io_event still arrives and frees the record.
            var ignored = io_event()
            _ = CLinux_io_cancel(context, r.resources.iocb, &ignored)
        }
    }

    /// Destroys the context. io_destroy waits for reads still in the kernel, so call this only at exit.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        _ = CLinux_io_destroy(context)
        counter.fd.close()
        records.removeAll(.failed("directio context closed"))
    }

    private func deliver(_ e: io_event) {
        let finished = records.finish(e.data) { r in
            guard e.res < 0 else { return .finished(bytes: Int(e.res), expected: r.length) }
            let code = Int32(clamping: -e.res)
            return .ioError(code: code, description: Errno(rawValue: code).description)
        }
        if finished == .late { lateCompletions += 1 }
    }
}
