import MultipathCore
import MultipathSystem

/// What a source wants to hear about.
public struct Interest: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let readable = Interest(rawValue: 1 << 0)
    public static let writable = Interest(rawValue: 1 << 1)
}

/// What the kernel reported for a source. `hangup` and `error` come whether asked for or not.
public struct Readiness: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let readable = Readiness(rawValue: 1 << 0)
    public static let writable = Readiness(rawValue: 1 << 1)
    public static let hangup = Readiness(rawValue: 1 << 2)
    public static let error = Readiness(rawValue: 1 << 3)
}

/// Names a registration: `generation << 32 | slot`, also the epoll token. Generation 0 is never
/// handed out, so tokens 0 and 1 name the reactor's own timerfd and signalfd.
public struct SourceToken: Hashable, Sendable {
    public let rawValue: UInt64
    var slot: Int { Int(truncatingIfNeeded: rawValue & 0xffff_ffff) }
    var generation: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 32) }
    init(rawValue: UInt64) { self.rawValue = rawValue }
    init(slot: Int, generation: UInt32) { rawValue = UInt64(generation) << 32 | UInt64(slot) }
}

public struct ReactorStats: Equatable, Sendable {
    /// Returns from `epoll_wait`, whatever woke it.
    public var wakeups = 0
    /// Events handed to registered handlers.
    public var events = 0
    /// Events dropped because their source was deregistered (and its slot perhaps reused) meanwhile.
    public var staleEvents = 0
    public var timersFired = 0
    public var signals = 0
    /// Handler failures: a source's handler threw (its policy then applied) or a timer's did (dropped).
    public var handlerFailures = 0
}

/// The daemon's one loop: level-triggered epoll over a flat table of sources, one timerfd for all
/// timers, one signalfd for all signals. Single-threaded: everything, handlers
/// included, runs on the thread that calls `run`.
public final class Reactor {
    private struct Source {
        var generation: UInt32 = 1
        var fd = FileDescriptor(rawValue: -1)
        var inEpoll = false  // out of epoll while interest is empty: HUP/ERR would otherwise report forever
        var interest: Interest = []
        var name = ""
        var handler: ((Readiness) throws -> Void)?
        var policy = SourceFailurePolicy.stop
        /// Failures in a row, for `.retry`'s backoff.
        var failures = 0
    }

    private static let timerToken: UInt64 = 0, signalToken: UInt64 = 1

    public let clock: any Clock
    public private(set) var stats = ReactorStats()
    /// Where "handler X failed: ...; <what the policy did>" goes.
    public var logSink: ((String) -> Void)?

    private let syscalls: Syscalls
    private let epoll: Epoll
    private let events: Epoll.EventBuffer
    private let maxTimersPerTurn: Int
    private var sources: [Source] = []
    private var freeSlots: [Int] = []

    private var timers = TimerQueue()
    private let timerFD: TimerFD
    /// The timerfd measures CLOCK_MONOTONIC, so it is armed only when that is the reactor's clock. Under
    /// another clock (tests) time moves when the caller says so, and `runOnce` fires what is then due.
    private let armsTimerFD: Bool
    private var armedAt: Instant?

    private var signalFD: SignalFD?
    private var signalHandlers: [((Int32) -> Void)?] = Array(repeating: nil, count: 65)  // by signal number
    private var stopRequested = false
    /// Set by a `.stop` source; `run()` throws it.
    private var fatal: ReactorError?

    /// `maxEventsPerTurn` and `maxTimersPerTurn` bound one turn's work; the rest waits for the next
    /// turn, so a storm on one source cannot starve the others: a control request or an sg completion
    /// waits behind at most 64 timers (checks of a thousand paths falling due together, each a system
    /// call or two), not behind all of them.
    public init(
        clock: any Clock = MonotonicClock(), maxEventsPerTurn: Int = 64, maxTimersPerTurn: Int = 64,
        syscalls: Syscalls = .system
    ) throws(SystemError) {
        precondition(maxTimersPerTurn > 0, "a turn must be able to fire a timer")
        self.clock = clock
        self.maxTimersPerTurn = maxTimersPerTurn
        self.syscalls = syscalls
        armsTimerFD = clock is MonotonicClock
        events = Epoll.EventBuffer(capacity: maxEventsPerTurn)
        var opened: [FileDescriptor] = []
        do throws(SystemError) {
            let epoll = try Epoll(syscalls: syscalls)
            opened.append(epoll.fd)
            let timerFD = try TimerFD(syscalls: syscalls)
            opened.append(timerFD.fd)
            try epoll.add(timerFD.fd, .input, token: Self.timerToken)
            (self.epoll, self.timerFD) = (epoll, timerFD)
        } catch {
            for fd in opened { fd.close() }
            throw error
        }
    }

    deinit {
        signalFD?.fd.close()
        timerFD.fd.close()
        epoll.fd.close()
    }

    /// The clock; within a turn, the time its `epoll_wait` returned. The handlers of one turn react to
    /// the same wakeup, so they share one reading (as sd-event does): under emulation each clock read
    /// is a system call, and a path check used eight.
    public var now: Instant { turnTime ?? clock.now }
    private var turnTime: Instant?

    // MARK: Sources

    /// Calls `handler` on this thread whenever `fd` is ready for `interest`, until deregistered. The
    /// reactor does not own `fd`: deregister it before closing it. A handler that can fail says what
    /// then happens (`onFailure`).
    @discardableResult
    public func register(
        _ fd: FileDescriptor, interest: Interest = .readable, name: String, onFailure: SourceFailurePolicy,
        _ handler: @escaping (Readiness) throws -> Void
    ) throws(SystemError) -> SourceToken {
        if freeSlots.isEmpty {
            precondition(sources.count < Int(UInt32.max), "too many sources")
            freeSlots.append(sources.count)
            sources.append(Source())
        }
        let slot = freeSlots[freeSlots.count - 1]
        let token = SourceToken(slot: slot, generation: sources[slot].generation)
        if !interest.isEmpty { try epoll.add(fd, Self.epollEvents(interest), token: token.rawValue) }
        freeSlots.removeLast()
        sources[slot].fd = fd
        sources[slot].inEpoll = !interest.isEmpty
        sources[slot].interest = interest
        sources[slot].name = name
        sources[slot].handler = handler
        sources[slot].policy = onFailure
        return token
    }

    /// A source whose handler cannot fail.
    @discardableResult
    public func register(
        _ fd: FileDescriptor, interest: Interest = .readable, name: String,
        _ handler: @escaping (Readiness) -> Void
    ) throws(SystemError) -> SourceToken {
        // The policy never applies: the handler does not throw.
        try register(fd, interest: interest, name: name, onFailure: .stop, handler)
    }

    /// Changes what a source waits for; an empty interest pauses it. Ignored for a stale token.
    public func setInterest(_ token: SourceToken, _ interest: Interest) throws(SystemError) {
        guard isLive(token) else { return }
        sources[token.slot].interest = interest
        try setEpollInterest(token, interest)
    }

    private func setEpollInterest(_ token: SourceToken, _ interest: Interest) throws(SystemError) {
        let source = sources[token.slot]
        switch (source.inEpoll, interest.isEmpty) {
        case (false, false): try epoll.add(source.fd, Self.epollEvents(interest), token: token.rawValue)
        case (true, false): try epoll.modify(source.fd, Self.epollEvents(interest), token: token.rawValue)
        case (true, true): try epoll.remove(source.fd)
        case (false, true): break
        }
        sources[token.slot].inEpoll = !interest.isEmpty
    }

    /// Stops dispatching to a source; its events already fetched this turn are dropped. Does not close
    /// the fd. Safe inside any handler, its own included; a no-op for a stale token.
    public func deregister(_ token: SourceToken) {
        guard isLive(token) else { return }
        // The only failure left (the fd was closed first and its number reused) leaves nothing to undo.
        if sources[token.slot].inEpoll { try? epoll.remove(sources[token.slot].fd) }
        var generation = sources[token.slot].generation &+ 1
        if generation == 0 { generation = 1 }
        sources[token.slot] = Source(generation: generation)
        freeSlots.append(token.slot)
    }

    private func isLive(_ token: SourceToken) -> Bool {
        token.generation != 0 && token.slot < sources.count
            && sources[token.slot].generation == token.generation && sources[token.slot].handler != nil
    }

    private static func epollEvents(_ interest: Interest) -> Epoll.Events {
        var events: Epoll.Events = []
        if interest.contains(.readable) { events.insert(.input) }
        if interest.contains(.writable) { events.insert(.output) }
        return events
    }

    // MARK: Timers

    /// Calls `handler` once, after the clock passes `earliest` and, when the loop is not held up by its
    /// handlers, before it passes `latest`. A window lets the loop serve many timers with one wakeup.
    @discardableResult
    public func schedule(
        earliest: Instant, latest: Instant? = nil, name: String,
        _ handler: @escaping () throws -> Void
    ) -> TimerToken {
        timers.schedule(earliest: earliest, latest: latest, TimerQueue.Timer(name: name, handler: handler))
    }

    /// When the loop must next wake for its timers (the smallest `latest`); a test driving a manual
    /// clock moves it there, as the timerfd would wake the loop.
    public var nextWakeup: Instant? { timers.nextLatest }

    /// No-op if the timer already fired or was cancelled.
    public func cancel(_ token: TimerToken) {
        timers.cancel(token)
    }

    /// Moves a pending timer; no-op if it already fired or was cancelled.
    public func reschedule(_ token: TimerToken, earliest: Instant, latest: Instant? = nil) {
        timers.reschedule(token, earliest: earliest, latest: latest)
    }

    /// Sets the timerfd for the smallest `latest`, only when that changed. Returns whether some window
    /// has already closed, in which case the turn must not sleep.
    private func armTimer(now: Instant) throws(SystemError) -> Bool {
        guard let wake = timers.nextLatest else {
            if armedAt != nil {
                try timerFD.disarm()
                armedAt = nil
            }
            return false
        }
        if wake <= now { return true }
        if armsTimerFD && armedAt != wake {
            try timerFD.arm(at: wake)
            armedAt = wake
        }
        return false
    }

    private func fireDueTimers() {
        var fired = 0
        while fired < maxTimersPerTurn, let timer = timers.popDue(at: now) {
            fired += 1
            stats.timersFired += 1
            do { try timer.handler() } catch {
                stats.handlerFailures += 1
                logSink?("timer \(timer.name) failed: \(error); dropped")
            }
        }
    }

    // MARK: Signals

    /// Blocks `signo` in the calling thread and calls `handler` from the loop when it arrives. All
    /// signals share one signalfd. Call it on the loop's thread before other threads start.
    public func onSignal(_ signo: Int32, _ handler: @escaping (Int32) -> Void) throws(SystemError) {
        precondition(signo > 0 && signo < Int32(signalHandlers.count), "no signal \(signo)")
        try SignalFD.block([signo])
        let previous = signalHandlers[Int(signo)]
        signalHandlers[Int(signo)] = handler
        let wanted = signalHandlers.indices.filter { signalHandlers[$0] != nil }.map(Int32.init)
        do throws(SystemError) {
            if let signalFD {
                try signalFD.update(wanted)
            } else {
                let fd = try SignalFD(wanted, syscalls: syscalls)
                do throws(SystemError) { try epoll.add(fd.fd, .input, token: Self.signalToken) } catch {
                    fd.fd.close()
                    throw error
                }
                signalFD = fd
            }
        } catch {
            signalHandlers[Int(signo)] = previous
            throw error
        }
    }

    // MARK: The loop

    /// Runs turns until `stop()`, or until a `.stop` source fails (then throws `.sourceFailed`).
    public func run() throws(ReactorError) {
        defer { stopRequested = false }
        while !stopRequested {
            do { try runOnce() } catch { throw .system(error) }
        }
        if let fatal {
            self.fatal = nil
            throw fatal
        }
    }

    /// Ends `run()` after the current turn.
    public func stop() {
        stopRequested = true
    }

    /// One turn: wait in `epoll_wait` (at most `maxWait`, forever if nil and no timer window has closed),
    /// dispatch what it returned, then fire the timers due by the reactor's clock.
    public func runOnce(maxWait: Duration? = nil) throws(SystemError) {
        var timeout: Int32 = -1
        if let maxWait {
            // Round up so that a short wait cannot become a busy loop of zero timeouts.
            let ms = (max(maxWait.nanosecondsClamped, 0) + 999_999) / 1_000_000
            timeout = Int32(clamping: ms)
        }
        if try armTimer(now: clock.now) { timeout = 0 }

        let count: Int
        do {
            count = try epoll.wait(into: events, timeoutMilliseconds: timeout, retryOnInterrupt: false)
        } catch  where error.errno == .interrupted {
            count = 0  // a stop signal from a debugger, say: fall through to the timers
        }
        stats.wakeups += 1
        turnTime = clock.now
        defer { turnTime = nil }

        for i in 0..<count {
            let (token, ready) = events[i]
            switch token {
            case Self.timerToken:
                _ = try timerFD.readExpirations()
                armedAt = nil
            case Self.signalToken:
                try readSignals()
            default:
                dispatch(SourceToken(rawValue: token), ready)
            }
        }
        fireDueTimers()
    }

    private func dispatch(_ token: SourceToken, _ ready: Epoll.Events) {
        guard isLive(token), let handler = sources[token.slot].handler else {
            stats.staleEvents += 1
            return
        }
        var readiness: Readiness = []
        if ready.contains(.input) { readiness.insert(.readable) }
        if ready.contains(.output) { readiness.insert(.writable) }
        if !ready.isDisjoint(with: [.hangup, .readHangup]) { readiness.insert(.hangup) }
        if ready.contains(.error) { readiness.insert(.error) }
        stats.events += 1
        call(handler, token, readiness)
    }

    private func call(_ handler: (Readiness) throws -> Void, _ token: SourceToken, _ readiness: Readiness) {
        do {
            try handler(readiness)
            if isLive(token) { sources[token.slot].failures = 0 }
        } catch {
            failed(token, error)
        }
    }

    private func failed(_ token: SourceToken, _ error: any Error) {
        stats.handlerFailures += 1
        guard isLive(token) else {  // the handler deregistered its source before throwing
            logSink?("handler failed: \(error); its source was already deregistered")
            return
        }
        let name = sources[token.slot].name
        switch sources[token.slot].policy {
        case .retry(let initial, let max):
            sources[token.slot].failures += 1
            let delay = Swift.min(initial * (1 << Swift.min(sources[token.slot].failures - 1, 20)), max)
            logSink?("handler \(name) failed: \(error); paused, retrying in \(delay)")
            // Out of epoll while it waits: a level-triggered fd that stays ready would call it every turn.
            try? setEpollInterest(token, [])
            schedule(earliest: now + delay, name: "retry \(name)") { [unowned self] in resume(token) }
        case .deregister(let cleanup):
            logSink?("handler \(name) failed: \(error); source deregistered")
            deregister(token)
            cleanup(error)
        case .stop:
            logSink?("handler \(name) failed: \(error); stopping the loop")
            fatal = fatal ?? .sourceFailed(source: name, error: "\(error)")
            stopRequested = true
        }
    }

    /// A `.retry` source back in epoll after its backoff, and its handler called at once: what failed
    /// (an arm, a list) may not make the fd ready again by itself.
    private func resume(_ token: SourceToken) {
        guard isLive(token), let handler = sources[token.slot].handler else { return }
        do throws(SystemError) { try setEpollInterest(token, sources[token.slot].interest) } catch {
            return failed(token, error)
        }
        call(handler, token, .readable)
    }

    /// Bounded: standard signals do not queue, so at most one of each is pending.
    private func readSignals() throws(SystemError) {
        guard let signalFD else { return }
        for _ in signalHandlers.indices {
            guard let signo = try signalFD.read() else { return }
            stats.signals += 1
            signalHandlers[Int(signo)]?(signo)
        }
    }
}
