import Glibc

/// A descriptor with one owner, closed exactly once: `close()` is idempotent, and dropping it while
/// still open is a bug that debug builds trap on (as swift-nio's sockets assert at deinit); a release
/// build closes it then rather than leak it.
public final class OwnedFD {
    public let descriptor: FileDescriptor
    public private(set) var isClosed = false
    private let closeCall: (FileDescriptor) -> Void

    /// `close` is what closing means (a test seam such as `SGKernel.close`); by default close(2).
    public init(_ descriptor: FileDescriptor, close: @escaping (FileDescriptor) -> Void = { $0.close() }) {
        self.descriptor = descriptor
        closeCall = close
    }

    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0) throws(SystemError) -> OwnedFD {
        OwnedFD(try FileDescriptor.open(path, flags, mode: mode))
    }

    deinit {
        assert(isClosed, "\(descriptor) dropped while open: a descriptor leaked")
        if !isClosed { closeCall(descriptor) }
    }

    public var rawValue: Int32 { descriptor.rawValue }

    public func close() {
        guard !isClosed else { return }
        isClosed = true
        closeCall(descriptor)
    }
}
