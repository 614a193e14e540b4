import MultipathCore
import MultipathReactor
import MultipathSystem

/// One sg device on the loop: its fd registered for readiness, one `DeadlineTimer` at its earliest
/// deadline. A hangup, ENODEV/ENXIO, or a read error it cannot read past (`handleReadable` threw: the
/// source's `.deregister` policy) makes the device gone: every command out ends as `.deviceGone`, the fd
/// leaves the loop (no later command waits for its deadline), and `onGone` runs; the owner then closes,
/// and may open the device afresh. `SGPathIO` and labtool's probe use it.
public final class SGSource {
    public let device: SGDevice
    private let reactor: Reactor
    private var source: SourceToken?
    private var deadline: DeadlineTimer!
    /// Runs once the device is gone and out of the loop.
    public var onGone: (() -> Void)?

    /// Registers the device's fd; the caller closes the device if this throws.
    public init(_ device: SGDevice, reactor: Reactor) throws(SystemError) {
        self.device = device
        self.reactor = reactor
        deadline = DeadlineTimer(
            reactor: reactor, name: "\(device.path) deadline",
            earliestDeadline: { [unowned device] in
                device.earliestDeadline
            },
            expire: { [unowned device] now in
                device.expire(now: now)
            })
        guard let fd = device.fd else { throw SystemError("\(device.path) is closed", .invalidArgument) }
        // A read error the device cannot read past is the device's: it is gone, as on a hangup.
        source = try reactor.register(
            fd, name: device.path,
            onFailure: .deregister { [unowned self] error in
                source = nil
                device.markGone("\(error)")
                deadline.rearm()
                onGone?()
            }
        ) { [unowned self] ready in try handle(ready) }
    }

    deinit { close() }

    public var isGone: Bool { device.isGone }

    /// Sends `command`; `completion` runs exactly once, later, from the loop (or now, if it is refused).
    public func submit(_ command: SCSICommand, timeout: Duration, completion: @escaping (CommandOutcome) -> Void) {
        do {
            try device.submit(command, timeout: timeout, now: reactor.now, completion: completion)
        } catch {
            completion(error.outcome)
        }
        deadline.rearm()
    }

    /// Leaves the loop and closes the device; commands not yet reported end as `.deviceGone`. Idempotent.
    public func close() {
        leaveLoop()
        deadline.cancel()
        device.close()
    }

    private func handle(_ ready: Readiness) throws(SystemError) {
        if !ready.isDisjoint(with: [.hangup, .error]) { device.handleHangup() }
        if ready.contains(.readable) { try device.handleReadable() }
        deadline.rearm()
        if device.isGone, source != nil {
            leaveLoop()
            onGone?()
        }
    }

    private func leaveLoop() {
        if let source { reactor.deregister(source) }
        source = nil
    }
}

/// Directio reads on the loop: one `DirectIOContext` for every path, its eventfd registered, one
/// `DeadlineTimer` at its earliest deadline. An error reading the eventfd or collecting the events
/// ends every read not yet reported as `.failed` (the loop can no longer tell when they finish; their
/// buffers wait for the kernel as a timed-out read's do) and keeps the source, so later reads are served.
public final class DirectIOSource {
    public let context: DirectIOContext
    private let reactor: Reactor
    private var source: SourceToken?
    private var deadline: DeadlineTimer!

    /// `syscalls` reads the eventfd (the test seam).
    public init(reactor: Reactor, syscalls: Syscalls = .system) throws(SystemError) {
        let context = try DirectIOContext(syscalls: syscalls)
        self.context = context
        self.reactor = reactor
        deadline = DeadlineTimer(
            reactor: reactor, name: "directio deadline",
            earliestDeadline: { [unowned context] in
                context.earliestDeadline
            },
            expire: { [unowned context] now in
                context.expire(now: now)
            })
        source = try reactor.register(context.eventFD, name: "directio") { [unowned self] _ in handle() }
    }

    deinit {
        if let source { reactor.deregister(source) }
        deadline.cancel()
        context.close()
    }

    /// Reads `length` bytes at offset 0 of `fd`; `completion` runs exactly once, later, from the loop.
    public func submitRead(
        fd: FileDescriptor, length: Int, timeout: Duration,
        completion: @escaping (DirectReadOutcome) -> Void
    ) throws(SystemError) {
        try context.submitRead(fd: fd, length: length, timeout: timeout, now: reactor.now, completion: completion)
        deadline.rearm()
    }

    private func handle() {
        do { try context.handleReadable() } catch { context.failOutstanding("\(error)") }
        deadline.rearm()
    }
}
