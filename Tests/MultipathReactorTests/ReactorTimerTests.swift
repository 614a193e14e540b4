import MultipathCore
import MultipathReactor
import MultipathSystem
import MultipathTestKit
import Testing

@Suite struct ReactorTimerTests {
    @Test func timersFireInDeadlineOrderWithTiesInInsertionOrder() throws {
        let clock = ManualClock()
        let reactor = try Reactor(clock: clock)
        let start = clock.now
        var fired: [String] = []
        for (name, ms) in [("c", 30), ("a1", 10), ("b", 20), ("a2", 10), ("a3", 10)] as [(String, Int)] {
            reactor.schedule(earliest: start + .milliseconds(ms), name: name) { fired.append(name) }
        }
        try reactor.runOnce(maxWait: .zero)
        #expect(fired.isEmpty)
        clock.advance(by: .milliseconds(10))
        try reactor.runOnce(maxWait: .zero)
        #expect(fired == ["a1", "a2", "a3"])
        clock.advance(by: .milliseconds(100))
        try reactor.runOnce(maxWait: .zero)
        #expect(fired == ["a1", "a2", "a3", "b", "c"])
        #expect(reactor.stats.timersFired == 5)
    }

    @Test func aTimerFiresOnceItsEarliestHasPassedEvenWithinItsWindow() throws {
        let clock = ManualClock()
        let reactor = try Reactor(clock: clock)
        var fired = 0
        reactor.schedule(earliest: clock.now + .seconds(1), latest: clock.now + .seconds(5), name: "check") { fired += 1 }
        clock.advance(by: .milliseconds(999))
        try reactor.runOnce(maxWait: .zero)
        #expect(fired == 0)
        clock.advance(by: .milliseconds(1))
        try reactor.runOnce(maxWait: .zero)
        try reactor.runOnce(maxWait: .zero)
        #expect(fired == 1)
    }

    @Test func theHandlersOfOneTurnShareOneClockReading() throws {
        let clock = ManualClock()
        let reactor = try Reactor(clock: clock)
        let t0 = clock.now
        var seen: [Instant] = []
        for name in ["a", "b"] {
            reactor.schedule(earliest: t0, name: name) {
                seen.append(reactor.now)
                clock.advance(by: .milliseconds(5))  // the handler's own work
            }
        }
        try reactor.runOnce(maxWait: .zero)
        #expect(seen == [t0, t0])
        #expect(reactor.now == t0 + .milliseconds(10))  // outside a turn: the clock itself
    }

    @Test func aClosedWindowKeepsTheTurnFromSleeping() throws {
        let clock = ManualClock()
        let reactor = try Reactor(clock: clock)
        var fired = 0
        reactor.schedule(earliest: clock.now + .seconds(1), name: "late") { fired += 1 }
        clock.advance(by: .seconds(2))
        let elapsed = try ContinuousClock().measure { try reactor.runOnce(maxWait: .seconds(3)) }
        #expect(fired == 1)
        #expect(elapsed < .seconds(1))
    }

    @Test func cancelledTimersDoNotFireAndStaleCancelsTouchNothing() throws {
        let clock = ManualClock()
        let reactor = try Reactor(clock: clock)
        var fired: [String] = []
        let first = reactor.schedule(earliest: clock.now, name: "first") { fired.append("first") }
        try reactor.runOnce(maxWait: .zero)
        reactor.schedule(earliest: clock.now + .seconds(1), name: "reuser") { fired.append("reuser") }  // first's slot
        let victim = reactor.schedule(earliest: clock.now + .seconds(1), name: "victim") { fired.append("victim") }
        reactor.cancel(first)  // already fired: must not cancel the timer now in its slot
        reactor.cancel(victim)
        reactor.cancel(victim)
        clock.advance(by: .seconds(1))
        try reactor.runOnce(maxWait: .zero)
        #expect(fired == ["first", "reuser"])
    }

    @Test func aTimerCancelledByAnEarlierOneInTheSameTurnDoesNotFire() throws {
        let clock = ManualClock()
        let reactor = try Reactor(clock: clock)
        var fired: [String] = []
        var second: TimerToken?
        reactor.schedule(earliest: clock.now + .seconds(1), name: "first") { [unowned reactor] in
            fired.append("first")
            reactor.cancel(second!)
        }
        second = reactor.schedule(earliest: clock.now + .seconds(1), name: "second") { fired.append("second") }
        clock.advance(by: .seconds(2))
        try reactor.runOnce(maxWait: .zero)
        #expect(fired == ["first"])
    }

    @Test func rescheduleMovesATimerLaterOrEarlier() throws {
        let clock = ManualClock()
        let reactor = try Reactor(clock: clock)
        let start = clock.now
        var fired: [String] = []
        let later = reactor.schedule(earliest: start + .seconds(1), name: "later") { fired.append("later") }
        let sooner = reactor.schedule(earliest: start + .seconds(10), name: "sooner") { fired.append("sooner") }
        reactor.schedule(earliest: start + .seconds(5), name: "fixed") { fired.append("fixed") }
        reactor.reschedule(later, earliest: start + .seconds(5))
        reactor.reschedule(sooner, earliest: start + .seconds(2))
        clock.advance(to: start + .seconds(1))
        try reactor.runOnce(maxWait: .zero)
        #expect(fired.isEmpty)
        clock.advance(to: start + .seconds(2))
        try reactor.runOnce(maxWait: .zero)
        #expect(fired == ["sooner"])
        clock.advance(to: start + .seconds(5))
        try reactor.runOnce(maxWait: .zero)
        #expect(fired == ["sooner", "fixed", "later"])  // rescheduled into a tie: behind the one already there
        reactor.reschedule(later, earliest: start + .seconds(6))  // already fired: no-op
        clock.advance(by: .seconds(10))
        try reactor.runOnce(maxWait: .zero)
        #expect(fired.count == 3)
    }

    @Test func aThrowingTimerIsLoggedAndDroppedAndTheOthersStillFire() throws {
        let clock = ManualClock()
        let reactor = try Reactor(clock: clock)
        var log: [String] = []
        reactor.logSink = { log.append($0) }
        var fired: [String] = []
        reactor.schedule(earliest: clock.now, name: "bad") { throw Boom() }
        reactor.schedule(earliest: clock.now, name: "good") { fired.append("good") }
        try reactor.runOnce(maxWait: .zero)
        #expect(fired == ["good"])
        #expect(log == ["timer bad failed: boom; dropped"])
        #expect(reactor.stats.handlerFailures == 1)
    }

    @Test func aTurnFiresAtMostMaxTimersPerTurnAndTheRestNext() throws {
        let clock = ManualClock()
        let reactor = try Reactor(clock: clock, maxTimersPerTurn: 3)
        var fired: [Int] = []
        for i in 0..<5 { reactor.schedule(earliest: clock.now, name: "t\(i)") { fired.append(i) } }
        try reactor.runOnce(maxWait: .zero)
        #expect(fired == [0, 1, 2])
        try reactor.runOnce(maxWait: .zero)
        #expect(fired == [0, 1, 2, 3, 4])
    }

    @Test func runEndsWhenAHandlerCallsStopAndCanRunAgain() throws {
        let clock = ManualClock()
        let reactor = try Reactor(clock: clock)
        var turns = 0
        reactor.schedule(earliest: clock.now, name: "stop") { [unowned reactor] in reactor.stop() }
        try reactor.run()
        turns = reactor.stats.wakeups
        reactor.schedule(earliest: clock.now, name: "stop again") { [unowned reactor] in reactor.stop() }
        try reactor.run()
        #expect(turns == 1)
        #expect(reactor.stats.wakeups == 2)
    }
}

/// On the real clock: what the timerfd costs in wakeups.
@Suite struct ReactorTimerFDTests {
    /// 100 checks 1 ms apart, each willing to wait 150 ms: the loop sleeps until the first window closes
    /// and serves all of them then. (Turns that fired timers are counted, not wakeups: a signal another
    /// test raises in this process may interrupt the wait.)
    @Test func hundredDeadlinesWithinOneWindowCostOneWakeup() throws {
        let reactor = try Reactor(maxTimersPerTurn: 100)
        let base = reactor.now + .milliseconds(20)
        var fired: [Int] = []
        for i in 0..<100 {
            let earliest = base + .milliseconds(i)
            reactor.schedule(earliest: earliest, latest: earliest + .milliseconds(150), name: "check \(i)") { fired.append(i) }
        }
        var turnsThatFired = 0
        while fired.count < 100 {
            let before = fired.count
            try reactor.runOnce()
            if fired.count > before { turnsThatFired += 1 }
        }
        #expect(fired == Array(0..<100))
        #expect(turnsThatFired == 1)
        #expect(reactor.now >= base + .milliseconds(150))
    }

    /// The same deadlines without windows: each needs the clock to reach it, so they cannot share one wakeup.
    @Test func deadlinesWithoutWindowsCostMoreWakeups() throws {
        let reactor = try Reactor()
        let base = reactor.now + .milliseconds(20)
        var fired = 0
        for i in 0..<100 {
            reactor.schedule(earliest: base + .milliseconds(i), name: "check \(i)") { fired += 1 }
        }
        while fired < 100 { try reactor.runOnce() }
        #expect(reactor.stats.wakeups > 1)
    }

    /// Nothing scheduled (one timer scheduled and cancelled, so the timerfd had to be disarmed) and one
    /// source that the kernel makes readable after a second: the loop wakes exactly once, for that source.
    @Test func aQuietSecondCostsNoWakeup() throws {
        let reactor = try Reactor()
        let cancelled = reactor.schedule(earliest: reactor.now + .milliseconds(50), name: "cancelled") {}
        try reactor.runOnce(maxWait: .zero)  // arms the timerfd for it
        reactor.cancel(cancelled)
        let before = reactor.stats

        let alarm = try TimerFD()
        defer { alarm.fd.close() }
        let start = reactor.now
        try alarm.arm(at: start + .seconds(1))
        let token = try reactor.register(alarm.fd, name: "alarm", onFailure: .stop) { [unowned reactor] _ in
            _ = try alarm.readExpirations()
            reactor.stop()
        }
        try reactor.run()
        reactor.deregister(token)

        #expect(reactor.now - start >= .seconds(1))
        #expect(reactor.stats.wakeups - before.wakeups == 1)
        #expect(reactor.stats.events - before.events == 1)
        #expect(reactor.stats.timersFired == 0)
    }
}
