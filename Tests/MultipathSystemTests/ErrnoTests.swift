import Glibc
import MultipathSystem
import Testing

@Suite struct ErrnoTests {
    @Test func interruptedCallIsRetried() throws {
        var calls = 0
        let r: Result<Int32, Errno> = valueOrErrno {
            calls += 1
            if calls < 3 {
                errno = EINTR
                return -1
            }
            return 7
        }
        #expect(calls == 3)
        #expect(try r.get() == 7)
    }

    @Test func interruptedCallIsReportedWhenAsked() {
        let r: Result<Int32, Errno> = valueOrErrno(retryOnInterrupt: false) {
            errno = EINTR
            return -1
        }
        #expect(throws: Errno.interrupted) { try r.get() }
    }

    @Test func worldErrorsCarryTheCall() {
        #expect(throws: SystemError.self) { try FileDescriptor.open("/nonexistent/x", O_RDONLY) }
        do { _ = try FileDescriptor.open("/nonexistent/x", O_RDONLY) } catch {
            #expect(error.description.hasPrefix("open /nonexistent/x: "))
            #expect(error.errno == .noEntry)
        }
    }
}
