import CLinux
import Glibc
import MultipathCore
import MultipathSystem

/// Plays the sg driver for `SGDevice`: accepts writes, and on `read()` returns scripted completions the way
/// the kernel does, copying sense and data into the buffers the command was written with.
public final class FakeSGKernel: SGKernel {
    /// A command as the driver received it.
    public struct Command {
        public var packID: Int32
        public var cdb: [UInt8]
        public var timeoutMilliseconds: UInt32
        public var transferLength: Int
        /// The bytes a command that sends data (SG_DXFER_TO_DEV) handed to the driver.
        public var outgoing: [UInt8]
        fileprivate var header: sg_io_hdr
    }

    public enum ReadStep {
        /// Return the command with this pack_id, finished with `result` (its data and sense are copied out).
        case complete(packID: Int32, SCSIResult)
        case error(Errno)
        /// A read that returns fewer bytes than a header.
        case short(Int)
    }

    public var version: Int32 = 30536
    /// The fd number `open` hands out: a real descriptor (a pipe's read end) when the device goes into a reactor.
    public var descriptor: Int32 = 42
    public var openError: Errno?
    /// Errors for the next writes, in order; an empty list accepts.
    public var writeErrors: [Errno] = []
    /// Steps for the next reads; once empty, reads fail with EAGAIN.
    public var reads: [ReadStep] = []
    /// Commands written and not yet returned.
    public private(set) var pending: [Command] = []
    public private(set) var writes = 0
    public private(set) var readCalls = 0
    public private(set) var closed: [Int32] = []

    public init() {}

    /// Queues a completion for the oldest pending command not already scripted.
    public func completeNext(_ result: SCSIResult = .good) {
        let scripted = Set(reads.compactMap { if case .complete(let id, _) = $0 { id } else { nil } })
        guard let c = pending.first(where: { !scripted.contains($0.packID) }) else { preconditionFailure("no pending command") }
        reads.append(.complete(packID: c.packID, result))
    }

    public func open(_ path: String) -> Result<Int32, Errno> {
        if let e = openError { return .failure(e) }
        return .success(descriptor)
    }

    public func versionNumber(fd: Int32) -> Result<Int32, Errno> { .success(version) }

    public func write(fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Result<Int, Errno> {
        writes += 1
        if !writeErrors.isEmpty { return .failure(writeErrors.removeFirst()) }
        precondition(bytes.count == MemoryLayout<sg_io_hdr>.size)
        let h = bytes.load(as: sg_io_hdr.self)
        precondition(h.interface_id == Int32(UInt8(ascii: "S")) && h.cmdp != nil && h.sbp != nil)
        let cdb = Array(UnsafeBufferPointer(start: h.cmdp, count: Int(h.cmd_len)))
        let outgoing = h.dxfer_direction == SG_DXFER_TO_DEV ? Array(UnsafeRawBufferPointer(start: h.dxferp, count: Int(h.dxfer_len))) : []
        pending.append(
            Command(
                packID: h.pack_id, cdb: cdb, timeoutMilliseconds: h.timeout, transferLength: Int(h.dxfer_len), outgoing: outgoing,
                header: h))
        return .success(bytes.count)
    }

    public func read(fd: Int32, _ bytes: UnsafeMutableRawBufferPointer) -> Result<Int, Errno> {
        readCalls += 1
        guard !reads.isEmpty else { return .failure(.wouldBlock) }
        switch reads.removeFirst() {
        case .error(let e):
            return .failure(e)
        case .short(let n):
            return .success(n)
        case .complete(let packID, let r):
            guard let i = pending.firstIndex(where: { $0.packID == packID }) else { preconditionFailure("pack_id \(packID) not pending") }
            var h = pending.remove(at: i).header
            let n = min(r.data.count, Int(h.dxfer_len))
            if n > 0 { h.dxferp!.copyMemory(from: r.data, byteCount: n) }
            let s = min(r.sense.count, Int(h.mx_sb_len))
            if s > 0 { h.sbp!.update(from: r.sense, count: s) }
            h.sb_len_wr = UInt8(s)
            h.resid = Int32(Int(h.dxfer_len) - n)
            h.status = r.status
            h.masked_status = (r.status >> 1) & 0x7f
            h.host_status = r.hostStatus
            h.driver_status = r.driverStatus
            h.info = r.isGood ? 0 : 1
            bytes.storeBytes(of: h, as: sg_io_hdr.self)
            return .success(MemoryLayout<sg_io_hdr>.size)
        }
    }

    public func close(fd: Int32) { closed.append(fd) }
}
