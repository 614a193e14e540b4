import MultipathCore
import MultipathReactor
import MultipathSystem

/// The one `NVMeAdminContext` on the loop: its io_uring fd registered for EPOLLIN (readable while
/// completions wait), and one deadline timer for the commands out. Its handler cannot fail: reaping
/// reads shared memory and makes no system call.
public final class NVMeAdminSource {
    public let context: NVMeAdminContext
    private let reactor: Reactor
    private var source: SourceToken?
    private var deadline: DeadlineTimer!

    public init(reactor: Reactor) throws(SystemError) {
        let context = try NVMeAdminContext()
        self.context = context
        self.reactor = reactor
        deadline = DeadlineTimer(
            reactor: reactor, name: "nvme admin deadline", earliestDeadline: { [unowned context] in context.earliestDeadline },
            expire: { [unowned context] now in context.expire(now: now) })
        source = try reactor.register(context.ring.fd, name: "nvme admin") { [unowned self] _ in
            context.handleReadable()
            deadline.rearm()
        }
    }

    deinit {
        if let source { reactor.deregister(source) }
        deadline.cancel()
        context.close()
    }

    /// `completion` runs exactly once, later, from the loop.
    public func submit(
        _ command: NVMeAdminCommand, controller fd: FileDescriptor, timeout: Duration,
        completion: @escaping (NVMeAdminOutcome) -> Void
    ) throws(SystemError) {
        try context.submit(command, controller: fd, timeout: timeout, now: reactor.now, completion: completion)
        deadline.rearm()
    }
}
