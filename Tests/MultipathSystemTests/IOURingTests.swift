import CLinux
import Glibc
import MultipathCore
import MultipathSystem
import Testing

/// Why io_uring cannot be used here (a kernel before 5.19, io_uring disabled by sysctl or a seccomp
/// filter), or nil when it can: the test then runs, else it is skipped with the reason printed.
private let ioUringUnavailable: String? = {
    do {
        _ = try IOURing(entries: 4)
        return nil
    } catch {
        return "io_uring with 128-byte entries is not available here (\(error))"
    }
}()

@Suite(.enabled(if: ioUringUnavailable == nil, Comment(rawValue: ioUringUnavailable ?? "")))
struct IOURingTests {
    /// The ring's fd is an event source like any other: readable once a completion waits, not after
    /// it is reaped.
    @Test func aNopCompletesThroughEpoll() throws {
        let ring = try IOURing(entries: 4)
        let epoll = try Epoll()
        try epoll.add(ring.fd, .input, token: 7)
        let events = Epoll.EventBuffer(capacity: 4)
        #expect(try epoll.wait(into: events, timeoutMilliseconds: 0) == 0)
        try ring.submit(opcode: UInt8(IORING_OP_NOP.rawValue), fd: FileDescriptor(rawValue: -1), userData: 42)
        #expect(try epoll.wait(into: events, timeoutMilliseconds: 2000) == 1)
        #expect(events[0].token == 7 && events[0].events.contains(.input))
        #expect(ring.reap() == [IOURing.Completion(userData: 42, result: 0, extra: 0)])
        #expect(try epoll.wait(into: events, timeoutMilliseconds: 0) == 0)
        ring.close()
    }

    /// More entries than the ring holds, reaped in between: the indexes wrap.
    @Test func theRingWraps() throws {
        let ring = try IOURing(entries: 4)
        for round in 0..<5 {
            for i in 0..<ring.entries {
                try ring.submit(opcode: UInt8(IORING_OP_NOP.rawValue), fd: FileDescriptor(rawValue: -1), userData: UInt64(round * 10 + i))
            }
            var p = pollfd(fd: ring.fd.rawValue, events: Int16(POLLIN), revents: 0)
            #expect(poll(&p, 1, 2000) == 1)
            #expect(ring.reap().map(\.userData) == (0..<ring.entries).map { UInt64(round * 10 + $0) })
        }
    }

    /// A URING_CMD to a file without the operation (/dev/zero) fails in its completion, not at
    /// submission; /dev/null accepts any (the kernel's hook for measuring passthrough) and completes.
    /// Either way the buffer is freed when the completion is reaped.
    @Test(arguments: [("/dev/zero", false), ("/dev/null", true)])
    func anAdminCommandEndsInItsCompletion(file: String, completes: Bool) throws {
        let context = try NVMeAdminContext()
        let fd = try FileDescriptor.open(file, O_RDONLY)
        defer { fd.close() }
        var outcome: NVMeAdminOutcome?
        try context.submit(.identifyController, controller: fd, timeout: .seconds(5), now: Instant(nanoseconds: 0)) { outcome = $0 }
        #expect(outcome == nil)
        var p = pollfd(fd: context.ring.fd.rawValue, events: Int16(POLLIN), revents: 0)
        #expect(poll(&p, 1, 2000) == 1)
        context.handleReadable()
        switch outcome {
        case .completed(let data): #expect(completes && data.count == 4096)
        case .failed(let why): #expect(!completes && why.contains("not supported"), "\(why)")
        default: Issue.record("unexpected \(String(describing: outcome))")
        }
        #expect(context.inFlight == 0)
    }

    /// The deadline is the command's own timeout and a second; an expiry first takes what the kernel
    /// already returned, so a command answered in time is not reported timed out.
    @Test func anExpiryReapsFirst() throws {
        let context = try NVMeAdminContext()
        let fd = try FileDescriptor.open("/dev/null", O_RDONLY)
        defer { fd.close() }
        var outcomes: [NVMeAdminOutcome] = []
        try context.submit(.identifyController, controller: fd, timeout: .seconds(5), now: Instant(nanoseconds: 0)) { outcomes.append($0) }
        #expect(context.earliestDeadline == Instant(nanoseconds: 6_000_000_000))
        context.expire(now: Instant(nanoseconds: 5_000_000_000))
        context.expire(now: Instant(nanoseconds: 6_000_000_000))
        #expect(outcomes == [.completed([UInt8](repeating: 0, count: 4096))])
    }
}
