import CLinux
import Glibc
import MultipathCore

/// The system calls the sg edge makes, one attempt each (no EINTR retry: `SGDevice` decides).
/// This is the seam where tests play the kernel.
public protocol SGKernel: AnyObject {
    func open(_ path: String) -> Result<Int32, Errno>
    func versionNumber(fd: Int32) -> Result<Int32, Errno>
    func write(fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Result<Int, Errno>
    func read(fd: Int32, _ bytes: UnsafeMutableRawBufferPointer) -> Result<Int, Errno>
    func close(fd: Int32)
}

/// The real thing: `/dev/sgN` opened `O_RDWR|O_NONBLOCK`.
public final class LinuxSGKernel: SGKernel {
    public init() {}

    public func open(_ path: String) -> Result<Int32, Errno> {
        valueOrErrno(retryOnInterrupt: false) { Glibc.open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC) }
    }

    public func versionNumber(fd: Int32) -> Result<Int32, Errno> {
        var v: Int32 = 0
        return valueOrErrno(retryOnInterrupt: false) { CLinux_ioctl_ptr(fd, CLinux_SG_GET_VERSION_NUM, &v) }.map { _ in v }
    }

    public func write(fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Result<Int, Errno> {
        valueOrErrno(retryOnInterrupt: false) { Glibc.write(fd, bytes.baseAddress, bytes.count) }
    }

    public func read(fd: Int32, _ bytes: UnsafeMutableRawBufferPointer) -> Result<Int, Errno> {
        valueOrErrno(retryOnInterrupt: false) { Glibc.read(fd, bytes.baseAddress, bytes.count) }
    }

    public func close(fd: Int32) { _ = Glibc.close(fd) }
}

/// Why `SGDevice.submit` refused a command. `outcome` is what a checker makes of it.
public enum SGSubmitError: Error, CustomStringConvertible {
    /// All 16 kernel slots of this fd are taken (timed-out commands hold theirs until the kernel returns them).
    case queueFull(path: String)
    /// ENODEV/ENXIO (device offline or being removed), or a hangup already seen, or the fd was closed.
    case deviceGone(String)
    case failed(SystemError)

    public var description: String {
        switch self {
        case .queueFull(let path): "\(path): sg queue full (\(SGDevice.maxInFlight) commands in flight)"
        case .deviceGone(let why): why
        case .failed(let e): e.description
        }
    }

    public var outcome: CommandOutcome {
        switch self {
        case .deviceGone(let why): .deviceGone(why)
        default: .failed(description)
        }
    }
}

/// Asynchronous SCSI commands on one `/dev/sgN` (sg v3: `write()` an `sg_io_hdr`, `read()` it back when the
/// fd is readable). It does not own the loop: the daemon registers `fd` for EPOLLIN, keeps a timer at
/// `earliestDeadline`, and calls `handleReadable()`, `handleHangup()` and `expire(now:)`.
///
/// - At most 16 commands per fd (the sg driver's limit, SG_MAX_QUEUE); a 17th is refused with
///   `SGSubmitError.queueFull` rather than queued: a checker sends one command per path at a time, so a full
///   queue means a path whose kernel has not returned 16 commands, which queueing would only hide.
/// - Completions are read in any order (no SG_SET_FORCE_PACK_ID) and matched by `pack_id`, unique per fd.
///   sg turns command queuing on by itself for v3 headers, so no SG_SET_COMMAND_Q is needed.
/// - CDB, sense and data live in one allocation owned by the in-flight record until the kernel returns the
///   command: sg copies sense and data into them inside `read()`, so they must outlive a timeout.
/// - After `close()` the kernel no longer writes to our memory (sg copies into user buffers only inside
///   `read()`; an orphaned request is freed without copying), so `close()` frees everything.
public final class SGDevice {
    public static let maxInFlight = 16
    /// SCSI_SENSE_BUFFERSIZE.
    static let senseCapacity = 96
    static let cdbCapacity = 16

    public let path: String
    /// nil once closed.
    public var fd: FileDescriptor? { owned.map(\.descriptor) }
    private var owned: OwnedFD?
    /// Set by EPOLLHUP, ENODEV or ENXIO: the owner should close.
    public private(set) var isGone = false
    /// Completions that came back after their command had timed out (read and discarded).
    public private(set) var lateCompletions = 0
    /// Completions whose pack_id matched nothing (should stay 0).
    public private(set) var unmatchedCompletions = 0

    /// CDB, sense and data of one command, in one allocation.
    private struct Buffers {
        let buffer: UnsafeMutableRawPointer
        let transfer: Int
    }

    private let kernel: SGKernel
    /// pack_ids are positive Int32s, unique per fd, including timed-out commands still held by the kernel.
    private let records = InFlightTable<Buffers, CommandOutcome>(capacity: SGDevice.maxInFlight, maxID: UInt64(Int32.max)) {
        $0.buffer.deallocate()
    }
    /// Where `read()` puts each returned header.
    private let header = UnsafeMutablePointer<sg_io_hdr>.allocate(capacity: 1)

    /// Opens `path` and checks that the driver speaks sg v3 (version >= 3.0.0).
    public init(path: String, kernel: SGKernel = LinuxSGKernel()) throws(SystemError) {
        self.path = path
        self.kernel = kernel
        // Every stored property is set from here on, so a throw still runs deinit (which frees `header`).
        let raw = try kernel.open(path).get("open \(path)")
        let version: Int32
        switch kernel.versionNumber(fd: raw) {
        case .success(let v): version = v
        case .failure(let e):
            kernel.close(fd: raw)
            throw SystemError("SG_GET_VERSION_NUM \(path)", e)
        }
        guard version >= 30000 else {
            kernel.close(fd: raw)
            throw SystemError("\(path): sg driver version \(version) is older than 3.0.0", .invalidArgument)
        }
        owned = OwnedFD(FileDescriptor(rawValue: raw)) { [kernel] in kernel.close(fd: $0.rawValue) }
    }

    deinit {
        close()
        header.deallocate()
    }

    /// Commands held by the kernel, including timed-out ones whose completion has not come back.
    public var inFlight: Int { records.count }

    /// The earliest deadline of a command not yet reported: when to call `expire(now:)`.
    public var earliestDeadline: Instant? { records.earliestDeadline }

    /// Sends `command`; `completion` runs exactly once, from `handleReadable`, `expire`, `handleHangup` or
    /// `close`. The kernel's own timeout is `timeout` too, so a hung command is eventually aborted and returned.
    public func submit(
        _ command: SCSICommand, timeout: Duration, now: Instant,
        completion: @escaping (CommandOutcome) -> Void
    ) throws(SGSubmitError) {
        guard let fd, !isGone else { throw .deviceGone("\(path) is gone") }
        guard !records.isFull else { throw .queueFull(path: path) }
        let packID = Int32(records.nextID())
        let transfer = command.transferLength
        let outgoing = command.outgoing
        let dataLength = max(transfer, outgoing.count)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.cdbCapacity + Self.senseCapacity + dataLength, alignment: 16)
        let cdb = buffer.bindMemory(to: UInt8.self, capacity: Self.cdbCapacity)
        cdb.update(from: command.cdb, count: command.cdb.count)
        let sense = (buffer + Self.cdbCapacity).bindMemory(to: UInt8.self, capacity: Self.senseCapacity)
        let data = dataLength > 0 ? buffer + Self.cdbCapacity + Self.senseCapacity : nil
        if let data, !outgoing.isEmpty { outgoing.withUnsafeBytes { data.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }

        // The kernel copies the header itself (and the CDB) during write(); only sense and data are written later.
        var h = sg_io_hdr()
        h.interface_id = Int32(UInt8(ascii: "S"))
        h.dxfer_direction = !outgoing.isEmpty ? SG_DXFER_TO_DEV : transfer > 0 ? SG_DXFER_FROM_DEV : SG_DXFER_NONE
        h.cmd_len = UInt8(command.cdb.count)
        h.mx_sb_len = UInt8(Self.senseCapacity)
        h.dxfer_len = UInt32(dataLength)
        h.dxferp = data
        h.cmdp = cdb
        h.sbp = sense
        h.timeout = UInt32(clamping: timeout.nanosecondsClamped / 1_000_000)
        h.pack_id = packID

        var result: Result<Int, Errno>
        repeat {
            result = withUnsafeBytes(of: &h) { kernel.write(fd: fd.rawValue, $0) }
        } while result == .failure(.interrupted)
        switch result {
        case .success:
            records.insert(
                id: UInt64(packID), resources: Buffers(buffer: buffer, transfer: transfer), deadline: now + timeout, completion: completion)
        case .failure(let e):
            buffer.deallocate()  // the kernel refused the command: it holds no pointer into the buffer
            if e == .noDevice || e == .noSuchDeviceOrAddress {
                throw .deviceGone("write \(path): \(e)")
            }
            if e.rawValue == EDOM { throw .queueFull(path: path) }  // sg's own "too many requests"
            throw .failed(SystemError("write \(path)", e))
        }
    }

    /// Reads every returned command until EAGAIN, or until the kernel holds none (the read that would
    /// say EAGAIN is a wasted system call per check), and delivers each outcome. ENODEV/ENXIO end all
    /// commands (`isGone`); any other error, or a header shorter than `sg_io_hdr`, is thrown, and the owner
    /// decides (`SGSource` calls `markGone`: a read it cannot get past ends the device, not only the commands).
    public func handleReadable() throws(SystemError) {
        while let fd, !isGone, records.count > 0 {
            let r = kernel.read(fd: fd.rawValue, UnsafeMutableRawBufferPointer(start: header, count: MemoryLayout<sg_io_hdr>.size))
            switch r {
            case .failure(.interrupted):
                continue
            case .failure(.wouldBlock):
                return
            case .failure(let e) where e == .noDevice || e == .noSuchDeviceOrAddress:
                endAll(.deviceGone("read \(path): \(e)"))
                return
            case .failure(let e):
                throw SystemError("read \(path)", e)
            case .success(let n) where n != MemoryLayout<sg_io_hdr>.size:
                throw SystemError(
                    "read \(path): \(n) bytes instead of an sg_io_hdr (\(MemoryLayout<sg_io_hdr>.size))", Errno(rawValue: EIO))
            case .success:
                deliver(header.pointee)
            }
        }
    }

    /// EPOLLHUP (or EPOLLERR): the device is going away. Ends every command; the owner closes.
    public func handleHangup() {
        endAll(.deviceGone("\(path): hangup"))
    }

    /// The owner gives up on the device after an error it cannot read past (a failed `handleReadable`):
    /// as after a hangup, every command ends as `.deviceGone(why)` and the owner closes.
    public func markGone(_ why: String) {
        endAll(.deviceGone(why))
    }

    /// Reports every command whose deadline is at or before `now` as `.timedOut`. Each keeps its kernel slot
    /// and buffers until the kernel returns it; that late completion is then discarded. What the kernel has
    /// already returned is read first: a busy loop reads at most so many ready fds per turn before its
    /// timers fire, and a command that finished in time must not be called timed out for that.
    public func expire(now: Instant) {
        try? handleReadable()  // an error here leaves the commands to their deadlines, just below
        records.expire(now: now, as: .timedOut)
    }

    /// Closes the fd; commands not yet reported end as `.deviceGone`. Idempotent.
    public func close() {
        guard let owned else { return }
        self.owned = nil
        owned.close()
        records.removeAll(.deviceGone("\(path) closed"))
    }

    private func deliver(_ h: sg_io_hdr) {
        let finished = records.finish(UInt64(UInt32(bitPattern: h.pack_id))) { r in
            let senseCount = min(Int(h.sb_len_wr), Self.senseCapacity)
            let sense = Array(UnsafeRawBufferPointer(start: r.buffer + Self.cdbCapacity, count: senseCount))
            let received = max(0, min(r.transfer, r.transfer - Int(h.resid)))
            let data = Array(UnsafeRawBufferPointer(start: r.buffer + Self.cdbCapacity + Self.senseCapacity, count: received))
            return .completed(
                SCSIResult(status: h.status, hostStatus: h.host_status, driverStatus: h.driver_status, sense: sense, data: data))
        }
        switch finished {
        case .delivered: break
        case .late: lateCompletions += 1
        case .unmatched: unmatchedCompletions += 1
        }
    }

    private func endAll(_ outcome: CommandOutcome) {
        isGone = true
        records.reportAll(outcome)
    }
}
