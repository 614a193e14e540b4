import CLinux
import Glibc
import MultipathCore
import MultipathSystem
import Testing

/// A temp file on a filesystem that accepts O_DIRECT (tmpfs does not), or nil.
private func directIOFile(bytes: Int) -> String? {
    for dir in ["/tmp", "/var/tmp", "."] {
        var template = Array("\(dir)/directio-test-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { continue }
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let pattern = [UInt8](repeating: 0xa5, count: bytes)
        let written = pattern.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        let probe = open(path, O_RDONLY | CLinux_O_DIRECT)
        if written == bytes && probe >= 0 {
            close(probe)
            return path
        }
        if probe >= 0 { close(probe) }
        unlink(path)
    }
    return nil
}

/// Waits up to `ms` for the eventfd to become readable.
private func waitReadable(_ fd: FileDescriptor, ms: Int32 = 2000) -> Bool {
    var p = pollfd(fd: fd.rawValue, events: Int16(POLLIN), revents: 0)
    return poll(&p, 1, ms) == 1
}

@Suite(
    .enabled(
        if: directIOFile(bytes: 0).map {
            unlink($0)
            return true
        } ?? false,
        "no filesystem here accepts O_DIRECT (tmpfs does not): the directio test needs one"))
struct DirectIOTests {
    let t0 = Instant(nanoseconds: 1_000_000_000)

    @Test func aBlockReadIsUp() throws {
        let path = try #require(directIOFile(bytes: 8192))
        defer { unlink(path) }
        let ctx = try DirectIOContext()
        let fd = try DirectIOContext.open(path)
        defer { fd.close() }
        var outcomes: [DirectReadOutcome] = []
        try ctx.submitRead(fd: fd, offset: 4096, timeout: .seconds(5), now: t0) { outcomes.append($0) }
        #expect(ctx.inFlight == 1 && ctx.earliestDeadline == t0 + .seconds(5))
        #expect(waitReadable(ctx.eventFD))
        try ctx.handleReadable()
        #expect(outcomes == [.finished(bytes: 4096, expected: 4096)])
        #expect(CommandInterpreter.interpret(outcomes[0]) == CheckerVerdict(.up, "directio read good"))
        #expect(ctx.inFlight == 0)
    }

    @Test func aReadPastTheEndIsDown() throws {
        let path = try #require(directIOFile(bytes: 4096))
        defer { unlink(path) }
        let ctx = try DirectIOContext()
        let fd = try DirectIOContext.open(path)
        defer { fd.close() }
        var outcomes: [DirectReadOutcome] = []
        try ctx.submitRead(fd: fd, offset: 8192, timeout: .seconds(5), now: t0) { outcomes.append($0) }
        #expect(waitReadable(ctx.eventFD))
        try ctx.handleReadable()
        #expect(outcomes == [.finished(bytes: 0, expected: 4096)])
        #expect(CommandInterpreter.interpret(outcomes[0]).state == .down)
    }

    /// A busy loop may reach a read's deadline before reading its eventfd: a read the kernel finished is
    /// delivered as finished, not timed out. (A read that really outlives its deadline cannot be made
    /// with a file here; SGDeviceTests covers the timed-out-then-late path with the fake sg kernel.)
    @Test func aReadFinishedBeforeItsDeadlineWasSeenIsNotTimedOut() throws {
        let path = try #require(directIOFile(bytes: 4096))
        defer { unlink(path) }
        let ctx = try DirectIOContext()
        let fd = try DirectIOContext.open(path)
        defer { fd.close() }
        var outcomes: [DirectReadOutcome] = []
        try ctx.submitRead(fd: fd, timeout: .milliseconds(10), now: t0) { outcomes.append($0) }
        #expect(waitReadable(ctx.eventFD))
        ctx.expire(now: t0 + .milliseconds(10))
        #expect(outcomes == [.finished(bytes: 4096, expected: 4096)])
        #expect(ctx.lateCompletions == 0 && ctx.inFlight == 0 && ctx.earliestDeadline == nil)
    }

    @Test func noEventMeansNothingDelivered() throws {
        let ctx = try DirectIOContext()
        try ctx.handleReadable()
        #expect(ctx.inFlight == 0)
    }
}

@Suite struct DirectReadVerdictTests {
    @Test(arguments: [
        (DirectReadOutcome.finished(bytes: 512, expected: 512), PathState.up, "directio read good"),
        (.finished(bytes: 0, expected: 4096), .down, "directio read returned 0 of 4096 bytes"),
        (.ioError(code: 5, description: "Input/output error"), .down, "directio read failed: Input/output error (errno 5)"),
        (.timedOut, .timeout, "directio read timed out"),
        (
            .failed("io_submit: Resource temporarily unavailable"), .down,
            "directio read could not run: io_submit: Resource temporarily unavailable"
        )
    ])
    func verdict(_ o: DirectReadOutcome, _ state: PathState, _ reason: String) {
        #expect(CommandInterpreter.interpret(o) == CheckerVerdict(state, reason))
    }
}
