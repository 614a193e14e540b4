import Glibc
import MultipathCore
import MultipathReactor
import MultipathSystem
import MultipathTestKit
import Testing

@Suite struct ReactorSourceTests {
    @Test func aPipeIsDispatchedWhileReadableLevelTriggered() throws {
        let reactor = try Reactor(clock: ManualClock())
        let pipe = makePipe()
        defer {
            pipe.read.close()
            pipe.write.close()
        }
        var seen: [Readiness] = []
        let token = try reactor.register(pipe.read, name: "pipe") { seen.append($0) }
        try reactor.runOnce(maxWait: .zero)
        #expect(seen.isEmpty)
        writeByte(pipe.write)
        try reactor.runOnce(maxWait: .zero)
        try reactor.runOnce(maxWait: .zero)  // not drained: reported again
        #expect(seen == [.readable, .readable])
        drain(pipe.read)
        try reactor.runOnce(maxWait: .zero)
        #expect(seen.count == 2)
        reactor.deregister(token)
        #expect(reactor.stats.events == 2)
    }

    @Test func writableInterestAndHangup() throws {
        let reactor = try Reactor(clock: ManualClock())
        let pipe = makePipe()
        defer { pipe.read.close() }
        var writer: [Readiness] = [], reader: [Readiness] = []
        let writeToken = try reactor.register(pipe.write, interest: .writable, name: "writer") { writer.append($0) }
        try reactor.register(pipe.read, name: "reader") { reader.append($0) }
        try reactor.runOnce(maxWait: .zero)
        #expect(writer == [.writable])
        #expect(reader.isEmpty)
        reactor.deregister(writeToken)
        pipe.write.close()
        try reactor.runOnce(maxWait: .zero)
        #expect(reader == [.hangup])
    }

    @Test func anEmptyInterestPausesASource() throws {
        let reactor = try Reactor(clock: ManualClock())
        let events = try EventFD()
        defer { events.fd.close() }
        try events.signal()
        var calls = 0
        let token = try reactor.register(events.fd, name: "eventfd") { _ in calls += 1 }
        try reactor.runOnce(maxWait: .zero)
        try reactor.setInterest(token, [])
        try reactor.runOnce(maxWait: .zero)
        #expect(calls == 1)
        try reactor.setInterest(token, .readable)
        try reactor.runOnce(maxWait: .zero)
        #expect(calls == 2)
        #expect(try events.drain() == 1)
    }

    /// A handler deregisters another source whose event is already in this turn's batch, and a new
    /// descriptor with the same number takes its slot: the old event must reach nobody.
    @Test func anEventForAReusedSlotAndFdNumberIsDropped() throws {
        let reactor = try Reactor(clock: ManualClock())
        let killer = makePipe(), victim = makePipe(), replacement = makePipe()
        defer { for fd in [killer.read, killer.write, victim.read, victim.write, replacement.read, replacement.write] { fd.close() } }
        writeByte(killer.write)
        writeByte(victim.write)
        var victimCalls = 0, replacementCalls = 0
        var victimToken: SourceToken?, replacementToken: SourceToken?
        // Registered first, so it is first on epoll's ready list.
        try reactor.register(killer.read, name: "killer", onFailure: .stop) { [unowned reactor] _ in
            drain(killer.read)
            reactor.deregister(victimToken!)
            // The victim's fd number now names the (empty) replacement pipe.
            #expect(dup2(replacement.read.rawValue, victim.read.rawValue) == victim.read.rawValue)
            replacementToken = try reactor.register(victim.read, name: "replacement") { _ in replacementCalls += 1 }
        }
        victimToken = try reactor.register(victim.read, name: "victim") { _ in victimCalls += 1 }
        try reactor.runOnce(maxWait: .zero)
        #expect(victimCalls == 0)
        #expect(replacementCalls == 0)
        #expect(reactor.stats.staleEvents == 1)
        #expect(replacementToken != victimToken)
        #expect(replacementToken!.rawValue & 0xffff_ffff == victimToken!.rawValue & 0xffff_ffff)  // same slot
    }

    @Test func aHandlerMayDeregisterItself() throws {
        let reactor = try Reactor(clock: ManualClock())
        let events = try EventFD()
        defer { events.fd.close() }
        try events.signal()
        var calls = 0
        var token: SourceToken?
        token = try reactor.register(events.fd, name: "once") { [unowned reactor] _ in
            calls += 1
            reactor.deregister(token!)
        }
        try reactor.runOnce(maxWait: .zero)
        try reactor.runOnce(maxWait: .zero)
        #expect(calls == 1)
    }

    @Test func aFailingDeregisterSourceIsDroppedItsCleanupRunsAndTheOthersKeepRunning() throws {
        let reactor = try Reactor(clock: ManualClock())
        var log: [String] = []
        reactor.logSink = { log.append($0) }
        let bad = try EventFD(), good = try EventFD()
        defer {
            bad.fd.close()
            good.fd.close()
        }
        try bad.signal()
        try good.signal()
        var badCalls = 0, goodCalls = 0, cleanups = 0
        try reactor.register(bad.fd, name: "bad", onFailure: .deregister { _ in cleanups += 1 }) { _ in
            badCalls += 1
            throw Boom()
        }
        try reactor.register(good.fd, name: "good") { _ in goodCalls += 1 }
        for _ in 0..<3 { try reactor.runOnce(maxWait: .zero) }
        #expect(badCalls == 1)
        #expect(cleanups == 1)
        #expect(goodCalls == 3)
        #expect(log == ["handler bad failed: boom; source deregistered"])
        #expect(reactor.stats.handlerFailures == 1)
    }

    /// A retrying source leaves epoll for its backoff (a ready fd does not spin the loop), is called
    /// again when it ends, doubles it while failing up to the cap, and a success resets it.
    @Test func aFailingRetrySourceBacksOffAndComesBack() throws {
        let clock = ManualClock()
        let reactor = try Reactor(clock: clock)
        var log: [String] = []
        reactor.logSink = { log.append($0) }
        let fd = try EventFD()
        defer { fd.fd.close() }
        try fd.signal()  // stays readable: never drained
        var calls = 0, failNext = 3
        try reactor.register(fd.fd, name: "dm", onFailure: .retry(initial: .milliseconds(100), max: .milliseconds(300))) { _ in
            calls += 1
            if failNext > 0 {
                failNext -= 1
                throw Boom()
            }
        }
        try reactor.runOnce(maxWait: .zero)
        #expect(calls == 1)
        for _ in 0..<3 { try reactor.runOnce(maxWait: .zero) }
        #expect(calls == 1)  // paused: out of epoll
        clock.advance(by: .milliseconds(100))
        try reactor.runOnce(maxWait: .zero)
        #expect(calls == 2)  // called at the end of the backoff, and failed again
        clock.advance(by: .milliseconds(199))
        try reactor.runOnce(maxWait: .zero)
        #expect(calls == 2)
        clock.advance(by: .milliseconds(1))
        try reactor.runOnce(maxWait: .zero)
        #expect(calls == 3)
        clock.advance(by: .milliseconds(300))  // capped: 400 would be doubled
        try reactor.runOnce(maxWait: .zero)
        #expect(calls == 4)  // succeeded: back in epoll
        try reactor.runOnce(maxWait: .zero)
        #expect(calls >= 5)
        #expect(
            log == [
                "handler dm failed: boom; paused, retrying in 0.1 seconds",
                "handler dm failed: boom; paused, retrying in 0.2 seconds",
                "handler dm failed: boom; paused, retrying in 0.3 seconds"
            ])
        #expect(reactor.stats.handlerFailures == 3)
    }

    @Test func aFailingStopSourceEndsRunWithItsError() throws {
        let reactor = try Reactor(clock: ManualClock())
        let fd = try EventFD()
        defer { fd.fd.close() }
        try fd.signal()
        try reactor.register(fd.fd, name: "udev monitor", onFailure: .stop) { _ in throw Boom() }
        #expect {
            try reactor.run()
        } throws: { error in
            "\(error)" == "udev monitor failed: boom; the loop stopped"
        }
    }

    /// Five sources that never drain and room for two events per turn: two dispatches per turn, and the
    /// kernel's level-triggered ready list rotates, so each source is served twice in five turns.
    @Test func aTurnDispatchesAtMostMaxEventsAndEverySourceGetsItsTurn() throws {
        let reactor = try Reactor(clock: ManualClock(), maxEventsPerTurn: 2)
        let fds = try (0..<5).map { _ throws(SystemError) in try EventFD() }
        defer { for e in fds { e.fd.close() } }
        var calls = [Int](repeating: 0, count: 5)
        for (i, e) in fds.enumerated() {
            try e.signal()
            try reactor.register(e.fd, name: "busy \(i)") { _ in calls[i] += 1 }
        }
        try reactor.runOnce(maxWait: .zero)
        #expect(reactor.stats.events == 2)
        for _ in 0..<4 { try reactor.runOnce(maxWait: .zero) }
        #expect(calls == [2, 2, 2, 2, 2])
    }

    /// epoll_wait interrupted (EINTR) is a turn with no events: no error, and due timers still fire.
    @Test func anInterruptedWaitIsAnEmptyTurn() throws {
        var syscalls = Syscalls.system
        let realWait = syscalls.epollWait
        var interruptions = 1
        syscalls.epollWait = { epfd, events, max, timeout in
            if interruptions > 0 {
                interruptions -= 1
                errno = EINTR
                return -1
            }
            return realWait(epfd, events, max, timeout)
        }
        let clock = ManualClock()
        let reactor = try Reactor(clock: clock, syscalls: syscalls)
        var fired = 0
        reactor.schedule(earliest: clock.now, name: "due") { fired += 1 }
        try reactor.runOnce(maxWait: .seconds(5))
        #expect(interruptions == 0)
        #expect(fired == 1)
        #expect(reactor.stats.wakeups == 1)
    }
}

/// Signals are process-wide: these tests block each signal (in the test's thread, where the reactor
/// and `raise()` also run, since a synchronous test body does not change threads) before raising it,
/// and never signal the process as a whole, so nothing reaches another thread or the runner.
@Suite(.serialized) struct ReactorSignalTests {
    @Test(arguments: [SIGTERM, SIGINT, SIGHUP, SIGUSR1])
    func aRaisedSignalReachesItsHandler(signo: Int32) throws {
        let reactor = try Reactor(clock: ManualClock())
        var received: [Int32] = []
        try reactor.onSignal(signo) { received.append($0) }
        #expect(raise(signo) == 0)
        try reactor.runOnce(maxWait: .seconds(1))
        #expect(received == [signo])
        #expect(reactor.stats.signals == 1)
    }

    @Test func severalSignalsShareOneSignalfd() throws {
        let reactor = try Reactor(clock: ManualClock())
        var received: [Int32] = []
        try reactor.onSignal(SIGHUP) { received.append($0) }
        try reactor.onSignal(SIGUSR1) { received.append($0) }
        #expect(raise(SIGUSR1) == 0)
        #expect(raise(SIGHUP) == 0)
        try reactor.runOnce(maxWait: .seconds(1))
        #expect(received.sorted() == [SIGHUP, SIGUSR1])
        try reactor.runOnce(maxWait: .zero)
        #expect(received.count == 2)
    }
}
