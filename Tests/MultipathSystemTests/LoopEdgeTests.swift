import CLinux
import Glibc
import MultipathCore
import MultipathSystem
import Testing

/// Real syscalls except `read`, which is interrupted `interruptions` times and then, if `shortBy` is set,
/// returns that many bytes fewer than asked (after really reading, so the kernel's state moves on).
private func scriptedReads(interruptions: Int = 0, shortBy: Int = 0) -> Syscalls {
    var syscalls = Syscalls.system
    let realRead = syscalls.read
    var left = interruptions
    syscalls.read = { fd, buffer, count in
        if left > 0 {
            left -= 1
            errno = EINTR
            return -1
        }
        let n = realRead(fd, buffer, count)
        return n > 0 ? n - shortBy : n
    }
    return syscalls
}

private func monotonicNow() -> Instant { MonotonicClock().now }

@Suite struct EpollTests {
    @Test func eventsCarryTheirTokenAndStayReadyUntilDrained() throws {
        let epoll = try Epoll()
        let events = try EventFD()
        defer {
            events.fd.close()
            epoll.fd.close()
        }
        let buffer = Epoll.EventBuffer(capacity: 4)
        try epoll.add(events.fd, .input, token: 0xdead_beef_0000_0007)
        #expect(try epoll.wait(into: buffer, timeoutMilliseconds: 0) == 0)
        try events.signal(3)
        for _ in 0..<2 {  // level-triggered: reported again while not drained
            #expect(try epoll.wait(into: buffer, timeoutMilliseconds: 0) == 1)
            #expect(buffer[0].token == 0xdead_beef_0000_0007)
            #expect(buffer[0].events == .input)
        }
        #expect(try events.drain() == 3)
        #expect(try epoll.wait(into: buffer, timeoutMilliseconds: 0) == 0)
    }

    @Test func modifyAndRemove() throws {
        let epoll = try Epoll()
        let events = try EventFD()
        defer {
            events.fd.close()
            epoll.fd.close()
        }
        let buffer = Epoll.EventBuffer(capacity: 4)
        try epoll.add(events.fd, .input, token: 1)
        try epoll.modify(events.fd, .output, token: 2)
        #expect(try epoll.wait(into: buffer, timeoutMilliseconds: 0) == 1)
        #expect(buffer[0].token == 2 && buffer[0].events == .output)
        try epoll.remove(events.fd)
        #expect(try epoll.wait(into: buffer, timeoutMilliseconds: 0) == 0)
        #expect(throws: SystemError.self) { try epoll.remove(events.fd) }  // ENOENT: the world's error
    }

    @Test func anInterruptedWaitIsRetriedOrReported() throws {
        var syscalls = Syscalls.system
        var interruptions = 2
        let realWait = syscalls.epollWait
        syscalls.epollWait = { epfd, events, max, timeout in
            if interruptions > 0 {
                interruptions -= 1
                errno = EINTR
                return -1
            }
            return realWait(epfd, events, max, timeout)
        }
        let epoll = try Epoll(syscalls: syscalls)
        defer { epoll.fd.close() }
        let buffer = Epoll.EventBuffer(capacity: 1)
        #expect(try epoll.wait(into: buffer, timeoutMilliseconds: 0) == 0)
        #expect(interruptions == 0)
        interruptions = 1
        #expect(throws: SystemError("epoll_wait", .interrupted)) {
            _ = try epoll.wait(into: buffer, timeoutMilliseconds: 0, retryOnInterrupt: false)
        }
    }
}

@Suite struct TimerFDTests {
    @Test func armedInThePastExpiresAtOnceAndDisarmStopsIt() throws {
        let timer = try TimerFD()
        defer { timer.fd.close() }
        #expect(try timer.readExpirations() == 0)
        try timer.arm(at: monotonicNow() - .milliseconds(1))
        #expect(try timer.readExpirations() == 1)
        try timer.arm(at: monotonicNow() + .milliseconds(20))
        try timer.disarm()
        usleep(40_000)
        #expect(try timer.readExpirations() == 0)
    }

    @Test func armedAtAnInstantExpiresThenAndNotBefore() throws {
        let timer = try TimerFD()
        defer { timer.fd.close() }
        let deadline = monotonicNow() + .milliseconds(30)
        try timer.arm(at: deadline)
        #expect(try timer.readExpirations() == 0)
        var pfd = pollfd(fd: timer.fd.rawValue, events: Int16(POLLIN), revents: 0)
        #expect(poll(&pfd, 1, 2000) == 1)
        #expect(monotonicNow() >= deadline)
        #expect(try timer.readExpirations() == 1)
    }

    @Test func anInterruptedReadIsRetried() throws {
        let timer = try TimerFD(syscalls: scriptedReads(interruptions: 2))
        defer { timer.fd.close() }
        try timer.arm(at: .zero)
        #expect(try timer.readExpirations() == 1)
    }

    @Test func aShortReadIsAnError() throws {
        let timer = try TimerFD(syscalls: scriptedReads(shortBy: 4))
        defer { timer.fd.close() }
        try timer.arm(at: .zero)
        #expect(throws: SystemError("read timerfd: short read of 4 of 8 bytes", .io)) { try timer.readExpirations() }
    }
}

@Suite struct EventFDTests {
    @Test func signalsAddUpAndDrainResets() throws {
        let events = try EventFD()
        defer { events.fd.close() }
        #expect(try events.drain() == 0)
        try events.signal()
        try events.signal(4)
        #expect(try events.drain() == 5)
        #expect(try events.drain() == 0)
    }

    @Test func anInterruptedDrainIsReportedWhenAsked() throws {
        let events = try EventFD(syscalls: scriptedReads(interruptions: 1))
        defer { events.fd.close() }
        try events.signal()
        #expect(throws: SystemError("read eventfd", .interrupted)) { try events.drain(retryOnInterrupt: false) }
        #expect(try events.drain() == 1)
    }
}

/// Blocks each signal in the test's own thread before `raise()` (thread-directed), so nothing reaches
/// another thread or the runner; serialized because signal masks and pending sets are shared state.
@Suite(.serialized) struct SignalFDTests {
    @Test func aBlockedRaisedSignalIsReadFromTheSignalfd() throws {
        try SignalFD.block([SIGUSR2])
        let signals = try SignalFD([SIGUSR2])
        defer { signals.fd.close() }
        #expect(try signals.read() == nil)
        #expect(raise(SIGUSR2) == 0)
        #expect(try signals.read() == SIGUSR2)
        #expect(try signals.read() == nil)
    }

    @Test func updateChangesTheSetReported() throws {
        try SignalFD.block([SIGUSR2, SIGWINCH])
        let signals = try SignalFD([SIGUSR2])
        defer { signals.fd.close() }
        try signals.update([SIGWINCH])
        #expect(raise(SIGWINCH) == 0)
        #expect(try signals.read() == SIGWINCH)
    }

    @Test func aShortReadIsAnErrorAndAnInterruptedReadIsRetried() throws {
        try SignalFD.block([SIGUSR2])
        let short = try SignalFD([SIGUSR2], syscalls: scriptedReads(shortBy: 1))
        defer { short.fd.close() }
        #expect(raise(SIGUSR2) == 0)
        #expect(throws: SystemError("read signalfd: short read of 127 of 128 bytes", .io)) { try short.read() }
        let interrupted = try SignalFD([SIGUSR2], syscalls: scriptedReads(interruptions: 3))
        defer { interrupted.fd.close() }
        #expect(raise(SIGUSR2) == 0)
        #expect(try interrupted.read() == SIGUSR2)
    }
}
