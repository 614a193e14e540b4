import Glibc
import MultipathSystem

struct Boom: Error, CustomStringConvertible {
    var description: String { "boom" }
}

/// A non-blocking pipe; the test closes both ends.
func makePipe() -> (read: FileDescriptor, write: FileDescriptor) {
    var fds: [Int32] = [-1, -1]
    precondition(pipe(&fds) == 0, "pipe: \(Errno.current)")
    let ends = (read: FileDescriptor(rawValue: fds[0]), write: FileDescriptor(rawValue: fds[1]))
    try! ends.read.setNonBlocking()
    try! ends.write.setNonBlocking()
    return ends
}

func writeByte(_ fd: FileDescriptor) {
    var byte: UInt8 = 1
    _ = withUnsafeBytes(of: &byte) { fd.write($0) }
}

func drain(_ fd: FileDescriptor) {
    var buffer = [UInt8](repeating: 0, count: 64)
    while case .success(let n) = buffer.withUnsafeMutableBytes({ fd.read(into: $0) }), n > 0 {}
}
