import Glibc
import Logging
import MultipathCore
import MultipathSystem

/// A pipe whose read end is readable while `pending > 0`: the fakes' stand-in for a kernel fd.
final class ReadinessPipe {
    let readEnd: FileDescriptor
    private let writeEnd: FileDescriptor
    private(set) var pending = 0

    init() {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0, "pipe: \(Errno.current)")
        readEnd = FileDescriptor(rawValue: fds[0])
        writeEnd = FileDescriptor(rawValue: fds[1])
        try! readEnd.setNonBlocking()
    }

    deinit {
        readEnd.close()
        writeEnd.close()
    }

    func markReadable() {
        var byte: UInt8 = 1
        _ = withUnsafeBytes(of: &byte) { writeEnd.write($0) }
        pending += 1
    }

    func drain() {
        var byte: UInt8 = 0
        while pending > 0 {
            _ = withUnsafeMutableBytes(of: &byte) { readEnd.read(into: $0) }
            pending -= 1
        }
    }
}

/// Plays udev: queued events make the fd readable until they are received.
public final class FakeUeventSource: UeventSource {
    private let pipe = ReadinessPipe()
    private var queue: [Result<Uevent, SystemError>] = []

    public init() {}

    public var fileDescriptor: FileDescriptor { pipe.readEnd }

    public func push(_ event: Uevent) { enqueue(.success(event)) }
    /// The next receive fails, as libudev does on ENOBUFS.
    public func pushFailure(_ error: SystemError) { enqueue(.failure(error)) }

    private func enqueue(_ r: Result<Uevent, SystemError>) {
        queue.append(r)
        pipe.markReadable()
    }

    public func receive() throws(SystemError) -> Uevent? {
        guard !queue.isEmpty else { return nil }
        pipe.drain()
        if queue.count > 1 { pipe.markReadable() }
        return try queue.removeFirst().get()
    }
}

/// Plays /dev/mapper/control: `devices` is the kernel's device table; `event()` makes the fd
/// readable until the next `armPoll()`, like the kernel's global DM event counter.
public final class FakeDMEventSource: DMEventSource {
    private let pipe = ReadinessPipe()
    public var devices: [DMDevice]
    public private(set) var armCount = 0
    public private(set) var listCount = 0

    public init(devices: [DMDevice] = []) { self.devices = devices }

    public var fileDescriptor: FileDescriptor { pipe.readEnd }

    public func event() { if pipe.pending == 0 { pipe.markReadable() } }

    public func armPoll() throws(SystemError) {
        armCount += 1
        pipe.drain()
    }

    public func listDevices() throws(SystemError) -> [DMDevice] {
        listCount += 1
        return devices
    }
}

/// A swift-log handler that keeps the lines, for assertions. Tests use it from one thread.
public struct CapturingLogHandler: LogHandler {
    public final class Lines: @unchecked Sendable {
        public private(set) var entries: [(level: Logger.Level, message: String)] = []
        public var messages: [String] { entries.map(\.message) }
        func append(_ level: Logger.Level, _ message: String) { entries.append((level, message)) }
    }

    public let lines = Lines()
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]

    public init(level: Logger.Level = .trace) { logLevel = level }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) { lines.append(event.level, "\(event.message)") }

    public var logger: Logger { Logger(label: "test") { [self] _ in self } }
}
