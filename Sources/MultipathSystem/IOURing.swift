import CLinux
import Glibc

/// An io_uring of 128-byte submission and 32-byte completion entries (what NVMe passthrough needs), set
/// up by raw syscalls (no liburing). The loop never waits in it: `submit` hands entries to the kernel
/// and returns, and the ring's fd is readable (EPOLLIN) while completions wait to be `reap`ed, so it
/// is registered in the reactor like an sg fd. Single-threaded: the daemon's loop is the only user.
public final class IOURing {
    public static let sqeSize = 128
    public static let cqeSize = 32

    public let fd: FileDescriptor
    /// Submission entries the ring holds; the completion ring holds twice as many, so a caller that
    /// keeps at most this many commands out never overflows it.
    public let entries: Int

    private let ring: UnsafeMutableRawPointer
    private let ringLength: Int
    private let sqes: UnsafeMutableRawPointer
    private let sqesLength: Int
    private let params: io_uring_params
    private var isClosed = false

    /// One completion: `result` is the command's (a negative errno, or its own status); `extra` the
    /// first of the big CQE's two words (an NVMe command's result dword).
    public struct Completion: Equatable {
        public var userData: UInt64
        public var result: Int32
        public var extra: UInt64

        public init(userData: UInt64, result: Int32, extra: UInt64) {
            self.userData = userData
            self.result = result
            self.extra = extra
        }
    }

    public init(entries: Int) throws(SystemError) {
        var p = io_uring_params()
        p.flags = IORING_SETUP_SQE128 | IORING_SETUP_CQE32
        let ringFD = try valueOrErrno { CLinux_io_uring_setup(UInt32(entries), &p) }.get("io_uring_setup")
        fd = FileDescriptor(rawValue: ringFD)
        self.entries = Int(p.sq_entries)
        params = p
        // One mapping for both rings (IORING_FEAT_SINGLE_MMAP, since 5.4: older kernels lack SQE128 anyway).
        ringLength = max(
            Int(p.sq_off.array) + Int(p.sq_entries) * 4, Int(p.cq_off.cqes) + Int(p.cq_entries) * Self.cqeSize)
        sqesLength = Int(p.sq_entries) * Self.sqeSize
        let prot = PROT_READ | PROT_WRITE
        let flags = MAP_SHARED | MAP_POPULATE
        let r = mmap(nil, ringLength, prot, flags, ringFD, off_t(IORING_OFF_SQ_RING))
        guard let r, r != MAP_FAILED else {
            let e = Errno.current
            fd.close()
            throw SystemError("mmap io_uring rings", e)
        }
        let s = mmap(nil, sqesLength, prot, flags, ringFD, off_t(IORING_OFF_SQES))
        guard let s, s != MAP_FAILED else {
            let e = Errno.current
            munmap(r, ringLength)
            fd.close()
            throw SystemError("mmap io_uring entries", e)
        }
        ring = r
        sqes = s
    }

    deinit { close() }

    /// Unmaps the rings and closes the fd. Commands still in the kernel keep their own references and
    /// end there; their buffers must outlive them (the owner's job).
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        munmap(sqes, sqesLength)
        munmap(ring, ringLength)
        fd.close()
    }

    private func index(_ offset: UInt32) -> UnsafeMutablePointer<UInt32> {
        (ring + Int(offset)).assumingMemoryBound(to: UInt32.self)
    }

    /// Hands one entry to the kernel: `fill` writes the 128 bytes after the opcode, fd and user data
    /// are set. The kernel reads the entry before `io_uring_enter` returns; a failure leaves the ring as
    /// it was, so no entry is submitted later by surprise.
    public func submit(
        opcode: UInt8, fd target: FileDescriptor, userData: UInt64, fill: (UnsafeMutableRawPointer) -> Void = { _ in }
    ) throws(SystemError) {
        precondition(!isClosed, "IOURing used after close")
        let mask = index(params.sq_off.ring_mask).pointee
        let tailPointer = index(params.sq_off.tail)
        let tail = tailPointer.pointee
        guard tail &- CLinux_load_acquire(index(params.sq_off.head)) < UInt32(entries) else {
            throw SystemError("io_uring: submission ring full", .busy)
        }
        let slot = tail & mask
        let sqe = sqes + Int(slot) * Self.sqeSize
        sqe.initializeMemory(as: UInt8.self, repeating: 0, count: Self.sqeSize)
        fill(sqe)
        sqe.storeBytes(of: opcode, as: UInt8.self)
        sqe.storeBytes(of: target.rawValue, toByteOffset: 4, as: Int32.self)
        sqe.storeBytes(of: userData, toByteOffset: 32, as: UInt64.self)
        (ring + Int(params.sq_off.array)).assumingMemoryBound(to: UInt32.self)[Int(slot)] = slot
        CLinux_store_release(tailPointer, tail &+ 1)
        let entered = valueOrErrno { CLinux_io_uring_enter(self.fd.rawValue, 1, 0, 0) }
        guard case .success(1) = entered else {
            CLinux_store_release(tailPointer, tail)
            if case .failure(let e) = entered { throw SystemError("io_uring_enter", e) }
            throw SystemError("io_uring_enter: entry not taken", .busy)
        }
    }

    /// The completions waiting, oldest first; the ring's fd stops being readable once they are taken.
    public func reap() -> [Completion] {
        let headPointer = index(params.cq_off.head)
        let mask = index(params.cq_off.ring_mask).pointee
        var head = headPointer.pointee
        let tail = CLinux_load_acquire(index(params.cq_off.tail))
        var done: [Completion] = []
        while head != tail {
            let cqe = ring + Int(params.cq_off.cqes) + Int(head & mask) * Self.cqeSize
            done.append(
                Completion(
                    userData: cqe.loadUnaligned(as: UInt64.self), result: cqe.loadUnaligned(fromByteOffset: 8, as: Int32.self),
                    extra: cqe.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
            head &+= 1
        }
        CLinux_store_release(headPointer, head)
        return done
    }
}
