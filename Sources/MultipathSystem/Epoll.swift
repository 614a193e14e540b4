import CLinux
import Glibc

/// An epoll instance, used level-triggered: a descriptor that stays ready is reported again by the next
/// wait, so a handler that does not drain costs a turn, never a hang. Each registration carries a
/// 64-bit token that comes back with its events.
public struct Epoll {
    public struct Events: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        public static let input = Events(rawValue: EPOLLIN.rawValue)
        public static let output = Events(rawValue: EPOLLOUT.rawValue)
        public static let error = Events(rawValue: EPOLLERR.rawValue)
        public static let hangup = Events(rawValue: EPOLLHUP.rawValue)
        public static let readHangup = Events(rawValue: EPOLLRDHUP.rawValue)
    }

    /// Where `wait` puts the ready events: allocated once and reused for every wait.
    public final class EventBuffer {
        fileprivate let storage: UnsafeMutableBufferPointer<epoll_event>

        public init(capacity: Int) {
            precondition(capacity > 0, "an epoll event buffer needs room for one event")
            storage = .allocate(capacity: capacity)
            storage.initialize(repeating: epoll_event())
        }

        deinit { storage.deallocate() }

        public var capacity: Int { storage.count }

        public subscript(i: Int) -> (token: UInt64, events: Events) {
            (storage[i].data.u64, Events(rawValue: storage[i].events))
        }
    }

    public let fd: FileDescriptor
    public var syscalls: Syscalls

    public init(syscalls: Syscalls = .system) throws(SystemError) {
        fd = FileDescriptor(rawValue: try valueOrErrno { epoll_create1(Int32(EPOLL_CLOEXEC)) }.get("epoll_create1"))
        self.syscalls = syscalls
    }

    func _control(_ op: Int32, _ target: FileDescriptor, _ events: Events, _ token: UInt64) -> Result<Void, Errno> {
        var event = epoll_event(events: events.rawValue, data: epoll_data_t(u64: token))
        return valueOrErrno { epoll_ctl(fd.rawValue, op, target.rawValue, &event) }.map { _ in }
    }

    public func add(_ target: FileDescriptor, _ events: Events, token: UInt64) throws(SystemError) {
        try _control(EPOLL_CTL_ADD, target, events, token).get("epoll_ctl ADD")
    }

    public func modify(_ target: FileDescriptor, _ events: Events, token: UInt64) throws(SystemError) {
        try _control(EPOLL_CTL_MOD, target, events, token).get("epoll_ctl MOD")
    }

    public func remove(_ target: FileDescriptor) throws(SystemError) {
        try _control(EPOLL_CTL_DEL, target, [], 0).get("epoll_ctl DEL")
    }

    func _wait(into buffer: EventBuffer, timeoutMilliseconds: Int32, retryOnInterrupt: Bool) -> Result<Int, Errno> {
        valueOrErrno(retryOnInterrupt: retryOnInterrupt) {
            syscalls.epollWait(fd.rawValue, buffer.storage.baseAddress, Int32(buffer.capacity), timeoutMilliseconds)
        }.map(Int.init)
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) and returns how many events are in `buffer`.
    /// A retried EINTR restarts the full timeout; a loop that keeps time passes `retryOnInterrupt: false`.
    public func wait(into buffer: EventBuffer, timeoutMilliseconds: Int32, retryOnInterrupt: Bool = true) throws(SystemError) -> Int {
        try _wait(into: buffer, timeoutMilliseconds: timeoutMilliseconds, retryOnInterrupt: retryOnInterrupt).get("epoll_wait")
    }
}
