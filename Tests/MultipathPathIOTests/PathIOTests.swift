import CLinux
import Glibc
import MultipathCore
import MultipathPathIO
import MultipathReactor
import MultipathSystem
import MultipathTestKit
import Testing

/// A folder laid out as both sysfs and /dev for one path `sda` (sg device `sg3`), removed by `remove()`;
/// with `blockBytes`, `sda` is a file of that many bytes, for directio reads.
private struct Tree {
    let root: String
    init(blockBytes: Int? = nil) {
        var template = Array("/tmp/pathio-test-XXXXXX".utf8CString)
        root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
        var dir = root
        for part in ["block", "sda", "device", "scsi_generic", "sg3"] {
            dir += "/" + part
            mkdir(dir, 0o755)
        }
        let state = open(root + "/block/sda/device/state", O_WRONLY | O_CREAT, 0o644)
        _ = "running\n".utf8CString.withUnsafeBytes { write(state, $0.baseAddress, $0.count - 1) }
        close(state)
        if let blockBytes {
            let fd = open(root + "/sda", O_WRONLY | O_CREAT, 0o644)
            let bytes = [UInt8](repeating: 0xa5, count: blockBytes)
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
    }

    var blockNode: String { root + "/sda" }
    var stateFile: String { root + "/block/sda/device/state" }

    /// Whether O_DIRECT opens here (tmpfs refuses it).
    var acceptsDirectIO: Bool {
        let fd = open(blockNode, O_RDONLY | CLinux_O_DIRECT)
        if fd >= 0 { close(fd) }
        return fd >= 0
    }

    func remove() {
        unlink(blockNode)
        unlink(stateFile)
        var dir = root + "/block/sda/device/scsi_generic/sg3"
        while dir.count >= root.count {
            rmdir(dir)
            dir = String(dir[..<(dir.lastIndex(of: "/") ?? dir.startIndex)])
        }
    }
}

/// Descriptors of this process open on `path` (/proc/self/fd).
private func descriptors(openOn path: String) -> Int {
    TextFiles.list("/proc/self/fd").filter { name in
        var target = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/fd/" + name, &target, target.count - 1)
        return n > 0 && String(decoding: target[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) == path
    }.count
}

private func makePipe() -> (read: FileDescriptor, write: FileDescriptor) {
    var fds: [Int32] = [-1, -1]
    precondition(pipe(&fds) == 0, "pipe: \(Errno.current)")
    return (FileDescriptor(rawValue: fds[0]), FileDescriptor(rawValue: fds[1]))
}

private final class Box<T> {
    var value: T
    init(_ value: T) { self.value = value }
}

private let sda = PathIdentity(name: "sda", devT: DevT(major: 8, minor: 0))

@Suite struct SGPathIOTests {
    /// A read error on the sg fd used to leave the source disabled by the reactor and the device
    /// attached: every later check ended only at its deadline. Now the device is gone at once and the
    /// next attach opens it afresh.
    @Test func anSGReadErrorMarksTheDeviceGoneAndTheNextAttachReopensIt() throws {
        let tree = Tree()
        defer { tree.remove() }
        let ends = makePipe()
        defer {
            ends.read.close()
            ends.write.close()
        }
        var byte: UInt8 = 1
        _ = withUnsafeBytes(of: &byte) { ends.write.write($0) }  // the "sg fd" stays readable
        let kernel = FakeSGKernel()
        kernel.descriptor = ends.read.rawValue
        let reactor = try Reactor(clock: ManualClock())
        let io = SGPathIO(reactor: reactor, sysfs: Sysfs(root: tree.root), sgKernel: kernel)
        let outcomes = Box<[CommandOutcome]>([])

        #expect(io.attach(sda) == nil)
        // The path's sysfs `state` is held from attach on, across its sg node's reopen: what a path holds
        // does not grow when it first fails (the soak counts descriptors).
        #expect(descriptors(openOn: tree.stateFile) == 1)
        io.submit(.testUnitReady, to: sda.devT, timeout: .seconds(5)) { outcomes.value.append($0) }
        kernel.reads = [.error(.io)]
        try reactor.runOnce(maxWait: .zero)
        #expect(outcomes.value == [.deviceGone("\(SystemError("read /dev/sg3", .io))")])
        // The reactor applied the source's policy (deregister, device gone) and counted the failure.
        #expect(reactor.stats.handlerFailures == 1 && kernel.closed.isEmpty)

        #expect(io.attach(sda) == nil)
        #expect(kernel.closed == [ends.read.rawValue])  // the gone device closed, a new one opened
        io.submit(.testUnitReady, to: sda.devT, timeout: .seconds(5)) { outcomes.value.append($0) }
        kernel.completeNext()
        try reactor.runOnce(maxWait: .zero)
        #expect(outcomes.value.count == 2 && outcomes.value.last == .completed(.good))
        #expect(descriptors(openOn: tree.stateFile) == 1 && io.deviceAttribute(sda.devT, "state") == Array("running\n".utf8))
        io.detach(sda.devT)
        #expect(kernel.closed.count == 2 && descriptors(openOn: tree.stateFile) == 0)
    }

    /// `detach` with a directio read out used to keep the block device open for good (it closed it only
    /// when no read of any path was out). The read holds its own reference to the file in the kernel.
    @Test func detachWithADirectReadOutClosesTheBlockDevice() throws {
        let tree = Tree(blockBytes: 8192)
        defer { tree.remove() }
        guard tree.acceptsDirectIO else { return }  // tmpfs: nothing to show here
        let ends = makePipe()
        defer {
            ends.read.close()
            ends.write.close()
        }
        let kernel = FakeSGKernel()
        kernel.descriptor = ends.read.rawValue
        let reactor = try Reactor(clock: ManualClock())
        let io = SGPathIO(reactor: reactor, sysfs: Sysfs(root: tree.root), sgKernel: kernel, devRoot: tree.root)
        let outcomes = Box<[DirectReadOutcome]>([])

        #expect(io.attach(sda) == nil)
        io.directRead(sda.devT, length: 4096, timeout: .seconds(5)) { outcomes.value.append($0) }
        #expect(descriptors(openOn: tree.blockNode) == 1)
        io.detach(sda.devT)
        #expect(descriptors(openOn: tree.blockNode) == 0)
        for _ in 0..<200 where outcomes.value.isEmpty { try reactor.runOnce(maxWait: .milliseconds(10)) }
        #expect(outcomes.value == [.finished(bytes: 4096, expected: 4096)])  // the read still ends, once
        #expect(descriptors(openOn: tree.blockNode) == 0)
    }
}

@Suite struct DirectIOSourceTests {
    /// An error reading the eventfd used to disable its source: every directio read from then on ended
    /// only at its deadline, as timed out. Now the reads out end as failed and the source stays.
    @Test func anEventfdReadErrorFailsTheReadsOutAndLaterReadsAreServed() throws {
        let tree = Tree(blockBytes: 4096)
        defer { tree.remove() }
        guard tree.acceptsDirectIO else { return }
        let failNextRead = Box(true)
        let syscalls = Syscalls(
            read: { fd, buffer, count in
                if failNextRead.value {
                    failNextRead.value = false
                    errno = EIO
                    return -1
                }
                return Glibc.read(fd, buffer, count)
            }, epollWait: Syscalls.system.epollWait)
        let reactor = try Reactor(clock: ManualClock())
        let direct = try DirectIOSource(reactor: reactor, syscalls: syscalls)
        let fd = try DirectIOContext.open(tree.blockNode)
        defer { fd.close() }
        let outcomes = Box<[DirectReadOutcome]>([])

        try direct.submitRead(fd: fd, length: 4096, timeout: .seconds(5)) { outcomes.value.append($0) }
        var p = pollfd(fd: direct.context.eventFD.rawValue, events: Int16(POLLIN), revents: 0)
        #expect(poll(&p, 1, 2000) == 1)
        try reactor.runOnce(maxWait: .zero)
        #expect(outcomes.value == [.failed("\(SystemError("read eventfd", .io))")])
        #expect(reactor.stats.handlerFailures == 0)

        try direct.submitRead(fd: fd, length: 4096, timeout: .seconds(5)) { outcomes.value.append($0) }
        for _ in 0..<200 where outcomes.value.count < 2 { try reactor.runOnce(maxWait: .milliseconds(10)) }
        #expect(outcomes.value.count == 2 && outcomes.value.last == .finished(bytes: 4096, expected: 4096))
        #expect(direct.context.inFlight == 0 && direct.context.lateCompletions == 1)
    }
}

@Suite struct DeadlineTimerTests {
    /// One timer, at the earliest deadline of what is out, moved when that changes, gone when nothing is.
    @Test func oneTimerAtTheEarliestDeadline() throws {
        let clock = ManualClock()
        let reactor = try Reactor(clock: clock)
        let t0 = clock.now
        let deadlines = Box<[Instant]>([])
        let expired = Box<[Instant]>([])
        let timer = DeadlineTimer(reactor: reactor, name: "test deadline", earliestDeadline: { deadlines.value.min() }) { now in
            expired.value.append(now)
            deadlines.value.removeAll { $0 <= now }
        }
        timer.rearm()
        #expect(timer.armedAt == nil && reactor.nextWakeup == nil)
        deadlines.value = [t0 + .seconds(5)]
        timer.rearm()
        #expect(timer.armedAt == t0 + .seconds(5))
        deadlines.value.append(t0 + .seconds(2))
        timer.rearm()
        #expect(timer.armedAt == t0 + .seconds(2) && reactor.nextWakeup == t0 + .seconds(2))
        clock.advance(to: t0 + .seconds(2))
        try reactor.runOnce(maxWait: .zero)
        #expect(expired.value == [t0 + .seconds(2)] && timer.armedAt == t0 + .seconds(5))
        deadlines.value = []
        timer.rearm()
        #expect(timer.armedAt == nil && reactor.nextWakeup == nil)
    }
}

@Suite(
    .enabled(
        if: (try? IOURing(entries: 4)) != nil, "io_uring with 128-byte entries is not available here: the NVMe admin ring needs it"))
struct NVMeAdminPathIOTests {
    /// `nvme0` is /dev/null here, which takes any passthrough command and completes it with nothing
    /// written (the kernel's hook for measuring io_uring passthrough).
    @Test func anAdminCommandGoesThroughTheRingOnTheLoopAndAFailedOpenIsTriedAgain() throws {
        let tree = Tree()
        defer {
            unlink(tree.root + "/nvme0")
            tree.remove()
        }
        let reactor = try Reactor(clock: ManualClock())
        let io = SGPathIO(reactor: reactor, sysfs: Sysfs(root: tree.root), devRoot: tree.root)
        let path = PathIdentity(
            name: "nvme0n1", devT: DevT(major: 259, minor: 0), transport: .nvme(.tcp), transportPort: .nvmeController("nvme0"))
        let outcomes = Box<[NVMeAdminOutcome]>([])
        #expect(io.attach(path) == nil)

        // No char device (a controller that is not live refuses the open the same way, with EAGAIN).
        io.nvmeAdmin(.identifyController, to: path.devT, timeout: .seconds(5)) { outcomes.value.append($0) }
        guard case .failed(let why) = outcomes.value.first else {
            Issue.record("expected a failed open, got \(outcomes.value)")
            return
        }
        #expect(why.contains("open \(tree.root)/nvme0"))

        #expect(symlink("/dev/null", tree.root + "/nvme0") == 0)
        outcomes.value = []
        io.nvmeAdmin(.identifyController, to: path.devT, timeout: .seconds(5)) { outcomes.value.append($0) }
        #expect(outcomes.value.isEmpty, "the answer comes from the loop, never during the call")
        for _ in 0..<200 where outcomes.value.isEmpty { try reactor.runOnce(maxWait: .milliseconds(10)) }
        #expect(outcomes.value == [.completed([UInt8](repeating: 0, count: 4096))])

        outcomes.value = []
        io.nvmeAdmin(.identifyController, to: DevT(major: 8, minor: 0), timeout: .seconds(5)) { outcomes.value.append($0) }
        #expect(outcomes.value == [.failed("8:0 is not an attached NVMe namespace")])
        io.detach(path.devT)
    }
}
