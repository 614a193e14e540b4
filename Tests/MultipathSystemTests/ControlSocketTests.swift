import Glibc
import MultipathCore
import MultipathSystem
import Testing

@Suite struct ControlSocketTests {
    @Test func theAbstractDefaultIs39BytesLongWithALeadingNUL() throws {
        let (length, path) = try ControlSocketAddress.abstractDefault.withSockaddr { sa, len in
            (
                len,
                sa.withMemoryRebound(to: sockaddr_un.self, capacity: 1) { p in
                    withUnsafeBytes(of: p.pointee.sun_path) { Array($0.prefix(Int(len) - 2)) }
                }
            )
        }
        #expect(length == 39)
        #expect(path == [0] + Array("/org/kernel/linux/storage/multipathd".utf8))
        #expect(try ControlSocketAddress.pathDefault.withSockaddr { _, len in len } == 2 + 23)
    }

    @Test func theEnvironmentOverridesBothAddresses() {
        #expect(ControlSocketAddress.daemonAddresses(override: nil) == [.abstractDefault, .pathDefault])
        #expect(ControlSocketAddress.daemonAddresses(override: "") == [.abstractDefault, .pathDefault])
        #expect(ControlSocketAddress.daemonAddresses(override: "@/x") == [ControlSocketAddress("@/x")])
        #expect(ControlSocketAddress.clientAddress(override: nil) == .abstractDefault)
        #expect(ControlSocketAddress.clientAddress(override: "/run/x.socket") == ControlSocketAddress("/run/x.socket"))
        #expect(!ControlSocketAddress("/run/x.socket").isAbstract)
    }

    @Test(arguments: [
        (String?.none, String?.none, 0), ("42", "2", 0), ("7", "1", 1), ("7", "2", 2), ("7", "0", 0), ("7", nil, 0)
    ])
    func socketActivationCounts(pid: String?, fds: String?, count: Int) throws {
        #expect(try SocketActivation.count(listenPID: pid, listenFDs: fds, pid: 7) == count)
    }

    @Test func moreThanTwoSocketsOrGarbageIsAnError() {
        #expect(throws: SocketActivation.Failure.tooMany(3)) { try SocketActivation.count(listenPID: "7", listenFDs: "3", pid: 7) }
        #expect(throws: SocketActivation.Failure.badCount("x")) { try SocketActivation.count(listenPID: "7", listenFDs: "x", pid: 7) }
    }

    @Test func aPathSocketIsReplacedOpenToAllAndRemovedAfterwards() throws {
        let path = "/tmp/swift-multipathd-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).socket"
        close(open(path, O_CREAT | O_WRONLY, 0o600))  // a stale file from an earlier run
        var listener: ControlListener? = try ControlListener(binding: ControlSocketAddress(path))
        var st = stat()
        #expect(stat(path, &st) == 0 && st.st_mode & 0o777 == 0o666 && st.st_mode & S_IFMT == S_IFSOCK)
        let client = try ControlClient(connectingTo: ControlSocketAddress(path))
        #expect(try listener?.accept() != nil)
        _ = client
        listener = nil
        #expect(access(path, F_OK) != 0)
    }

    @Test func adoptingTakesOnlyAListeningSocket() throws {
        let address = ControlSocketAddress("@/swift-multipathd-test/adopt/\(getpid())/\(UInt32.random(in: 0...UInt32.max))")
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        _ = try address.withSockaddr { sa, len in bind(fd, sa, len) }
        #expect(throws: SystemError.self) { try ControlListener(adopting: FileDescriptor(rawValue: fd)) }
        #expect(listen(fd, 4) == 0)
        let listener = try ControlListener(adopting: FileDescriptor(rawValue: fd))
        #expect(try listener.accept() == nil)  // non-blocking now
        let client = try ControlClient(connectingTo: address)
        let accepted = try #require(try listener.accept())
        #expect(try ControlSocketIO.peerCredentials(accepted) == PeerCredentials(pid: getpid(), uid: getuid(), gid: getgid()))
        accepted.close()
        _ = client
    }

    @Test func aClientWithoutADaemonGetsConnectionRefused() {
        let address = ControlSocketAddress("@/swift-multipathd-test/none/\(getpid())/\(UInt32.random(in: 0...UInt32.max))")
        #expect { try ControlClient(connectingTo: address) } throws: { ($0 as? SystemError)?.errno.rawValue == ECONNREFUSED }
    }
}
