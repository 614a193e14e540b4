import CLinux
import Glibc
import MultipathCore
import MultipathSystem
import Testing

/// A fresh folder under the system temp dir, removed by the caller.
func temporaryDirectory() -> String {
    var template = Array("/tmp/multipathd-test-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
}

@Suite struct PidFileTests {
    @Test func secondInstanceIsRefusedWithTheHoldersPid() throws {
        let dir = temporaryDirectory()
        defer { rmdir(dir) }
        let path = dir + "/multipathd.pid"
        let first = try PidFile(path: path, pid: 4242)
        do {
            _ = try PidFile(path: path, pid: 4343)
            Issue.record("second lock succeeded")
        } catch {
            guard case .alreadyRunning(path, 4242) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(error.description == "another multipathd is running (pid 4242, \(path) is locked)")
        }
        first.remove()
        #expect(access(path, F_OK) != 0)
        let again = try PidFile(path: path, pid: 4343)
        again.remove()
    }

    @Test func staleFileIsTakenOver() throws {
        let dir = temporaryDirectory()
        defer { rmdir(dir) }
        let path = dir + "/multipathd.pid"
        let fd = try FileDescriptor.open(path, O_WRONLY | O_CREAT, mode: 0o644)
        _ = Array("99999999\n".utf8).withUnsafeBytes { fd.write($0) }
        fd.close()
        let pidFile = try PidFile(path: path, pid: 77)
        let text = try String(decoding: readAll(path), as: UTF8.self)
        #expect(text == "77\n")
        pidFile.remove()
    }

    @Test func unwritableDirectoryIsASystemError() {
        #expect(throws: PidFile.Failure.self) { try PidFile(path: "/nonexistent-dir/multipathd.pid") }
    }
}

func readAll(_ path: String) throws -> [UInt8] {
    let fd = try FileDescriptor.open(path, O_RDONLY)
    defer { fd.close() }
    var bytes = [UInt8](repeating: 0, count: 4096)
    let n = try bytes.withUnsafeMutableBytes { fd.read(into: $0) }.get()
    return Array(bytes[..<n])
}

@Suite struct SystemdNotifierTests {
    /// A datagram listener standing in for systemd; `name` is a path or "@abstract".
    final class Listener {
        let fd: Int32
        init(_ name: String) throws {
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            var bytes = Array(name.utf8)
            if bytes[0] == UInt8(ascii: "@") { bytes[0] = 0 } else { bytes.append(0) }
            withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: bytes) }
            let len = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count)
            let r = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
            try #require(r == 0)
        }
        deinit { close(fd) }
        func receive() -> String {
            var buf = [UInt8](repeating: 0, count: 512)
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            return n > 0 ? String(decoding: buf[..<n], as: UTF8.self) : "<nothing: \(n)>"
        }
    }

    @Test func pathSocket() throws {
        let dir = temporaryDirectory()
        let path = dir + "/notify"
        defer {
            unlink(path)
            rmdir(dir)
        }
        let listener = try Listener(path)
        let notifier = try SystemdNotifier(socketName: path)
        try notifier.notify("STATUS=starting")
        try notifier.notify("READY=1\nSTATUS=running")
        #expect(listener.receive() == "STATUS=starting")
        #expect(listener.receive() == "READY=1\nSTATUS=running")
    }

    @Test func abstractSocket() throws {
        let name = "@multipathd-test-\(getpid())"
        let listener = try Listener(name)
        try SystemdNotifier(socketName: name).notify("STOPPING=1")
        #expect(listener.receive() == "STOPPING=1")
    }

    @Test func missingListenerIsAnError() throws {
        let notifier = try SystemdNotifier(socketName: "/nonexistent-dir/notify")
        #expect(throws: SystemError.self) { try notifier.notify("READY=1") }
    }

    @Test func overlongNameIsRejected() {
        #expect(throws: SystemError.self) { try SystemdNotifier(socketName: "/" + String(repeating: "x", count: 200)) }
    }
}

@Suite struct DMControlTests {
    @Test func missingControlNodeSaysSo() {
        #expect { try DMControl(path: "/nonexistent/mapper/control") } throws: { e in
            (e as? SystemError)?.errno == .noEntry && "\(e)".hasPrefix("open /nonexistent/mapper/control: ")
        }
    }

    @Test func aNodeThatIsNotDeviceMapperIsRefused() {
        #expect { try DMControl(path: "/dev/null") } throws: { e in
            (e as? SystemError)?.errno == Errno(rawValue: ENOTTY) && (e as? SystemError)?.call == "DM_VERSION on /dev/null"
        }
    }
}

@Suite struct DevTEncodingTests {
    /// The core's decoding agrees with glibc's macros for the numbers the kernel hands out.
    @Test(arguments: [(8, 16), (253, 0), (259, 1_048_575), (4095, 255), (65_536, 300)] as [(UInt32, UInt32)])
    func matchesGlibc(major: UInt32, minor: UInt32) {
        let dev = CLinux_makedev(major, minor)
        #expect(DevT(encoded: UInt64(dev)) == DevT(major: major, minor: minor))
        #expect(DevT(major: major, minor: minor).encoded == UInt64(dev))
        #expect(CLinux_major(dev) == major && CLinux_minor(dev) == minor)
    }
}

@Suite struct UdevMonitorTests {
    /// On a host without udevd nothing arrives; what matters is a non-blocking fd and a nil receive.
    @Test func opensNonBlockingAndReceivesNothingWhenQuiet() throws {
        let monitor = try UdevMonitor()
        #expect(CLinux_fcntl_int(monitor.fileDescriptor.rawValue, F_GETFL, 0) & O_NONBLOCK != 0)
        #expect(try monitor.receive() == nil)
    }
}
