import MultipathCore
import MultipathReactor

/// One reactor timer at the earliest deadline of a set of in-flight commands (an `SGDevice`'s, a
/// `DirectIOContext`'s), moved only when that deadline changes. Call `rearm()` after anything that may
/// change it (a submit, a completion); when it passes, `expire` runs with the turn's time and the timer
/// re-arms itself for what is left. With nothing out, no timer is scheduled.
public final class DeadlineTimer {
    private let reactor: Reactor
    private let name: String
    private let earliestDeadline: () -> Instant?
    private let expire: (Instant) -> Void
    private var timer: TimerToken?
    /// Where `timer` is scheduled.
    public private(set) var armedAt: Instant?

    public init(reactor: Reactor, name: String, earliestDeadline: @escaping () -> Instant?, expire: @escaping (Instant) -> Void) {
        self.reactor = reactor
        self.name = name
        self.earliestDeadline = earliestDeadline
        self.expire = expire
    }

    deinit { cancel() }

    public func rearm() {
        guard let deadline = earliestDeadline() else { return cancel() }
        if let timer {
            if deadline != armedAt { reactor.reschedule(timer, earliest: deadline) }
        } else {
            timer = reactor.schedule(earliest: deadline, name: name) { [unowned self] in
                timer = nil
                armedAt = nil
                expire(reactor.now)
                rearm()
            }
        }
        armedAt = deadline
    }

    public func cancel() {
        if let timer { reactor.cancel(timer) }
        timer = nil
        armedAt = nil
    }
}
