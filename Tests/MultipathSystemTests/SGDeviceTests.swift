import Glibc
import MultipathCore
import MultipathSystem
import MultipathTestKit
import Testing

@Suite struct SGDeviceTests {
    let kernel = FakeSGKernel()
    let t0 = Instant(nanoseconds: 1_000_000_000)

    func device() throws -> SGDevice { try SGDevice(path: "/dev/sg1", kernel: kernel) }

    /// Collects outcomes in the order they are delivered.
    final class Outcomes {
        var list: [CommandOutcome] = []
        func sink() -> (CommandOutcome) -> Void { { self.list.append($0) } }
    }

    @Test func refusesOldDriversAndMissingDevices() {
        kernel.version = 20_000
        #expect(throws: SystemError.self) { try device() }
        #expect(kernel.closed == [42])
        kernel.openError = .noEntry
        #expect(throws: SystemError.self) { try device() }
    }

    @Test func testUnitReadyRoundTrip() throws {
        let d = try device()
        let out = Outcomes()
        try d.submit(.testUnitReady, timeout: .seconds(5), now: t0, completion: out.sink())
        #expect(kernel.pending.map(\.cdb) == [[0, 0, 0, 0, 0, 0]])
        #expect(kernel.pending.first?.timeoutMilliseconds == 5000)
        #expect(d.inFlight == 1 && d.earliestDeadline == t0 + .seconds(5))
        kernel.completeNext()
        try d.handleReadable()
        #expect(out.list == [.completed(.good)])
        #expect(d.inFlight == 0 && d.earliestDeadline == nil)
    }

    @Test func dataAndSenseAreCopiedOutOfTheOwnedBuffers() throws {
        let d = try device()
        let out = Outcomes()
        try d.submit(.inquiry(vpdPage: 0x80), timeout: .seconds(1), now: t0, completion: out.sink())
        try d.submit(.testUnitReady, timeout: .seconds(1), now: t0, completion: out.sink())
        let page: [UInt8] = [0, 0x80, 0, 4, 0x41, 0x42, 0x43, 0x44]
        let standby: [UInt8] = [0x72, 2, 4, 0x0b, 0, 0, 0, 0]
        kernel.completeNext(SCSIResult(data: page))
        kernel.completeNext(SCSIResult(status: 2, driverStatus: 8, sense: standby))
        try d.handleReadable()
        #expect(out.list == [.completed(SCSIResult(data: page)), .completed(SCSIResult(status: 2, driverStatus: 8, sense: standby))])
    }

    /// A parameter list (PR OUT's) goes to the device from the owned buffer; nothing comes back as data.
    @Test func parametersGoToTheDevice() throws {
        let d = try device()
        let out = Outcomes()
        let command = PersistentReservation.registerAndIgnoreExistingKey(PRKey(value: 0x123abc))
        try d.submit(command, timeout: .seconds(1), now: t0, completion: out.sink())
        #expect(kernel.pending.map(\.outgoing) == [command.outgoing])
        #expect(kernel.pending.first?.cdb == command.cdb)
        kernel.completeNext()
        try d.handleReadable()
        #expect(out.list == [.completed(.good)])
    }

    @Test func completionsAreMatchedByPackIDInAnyOrder() throws {
        let d = try device()
        var got: [String] = []
        for name in ["a", "b", "c"] {
            try d.submit(.testUnitReady, timeout: .seconds(1), now: t0) { _ in got.append(name) }
        }
        let ids = kernel.pending.map(\.packID)
        #expect(Set(ids).count == 3)
        kernel.reads = [.complete(packID: ids[2], .good), .complete(packID: ids[0], .good), .complete(packID: ids[1], .good)]
        try d.handleReadable()
        #expect(got == ["c", "a", "b"])
        #expect(d.unmatchedCompletions == 0)
    }

    @Test func theSeventeenthCommandIsRefused() throws {
        let d = try device()
        for _ in 0..<SGDevice.maxInFlight { try d.submit(.testUnitReady, timeout: .seconds(1), now: t0) { _ in } }
        #expect { try d.submit(.testUnitReady, timeout: .seconds(1), now: t0) { _ in } } throws: { error in
            guard let e = error as? SGSubmitError, case .queueFull = e else { return false }
            return e.outcome == .failed("/dev/sg1: sg queue full (16 commands in flight)")
        }
        #expect(kernel.writes == 16)
        kernel.completeNext()
        try d.handleReadable()
        try d.submit(.testUnitReady, timeout: .seconds(1), now: t0) { _ in }
        #expect(d.inFlight == 16)
    }

    @Test func interruptedCallsAreRetried() throws {
        let d = try device()
        let out = Outcomes()
        kernel.writeErrors = [.interrupted, .interrupted]
        try d.submit(.testUnitReady, timeout: .seconds(1), now: t0, completion: out.sink())
        #expect(kernel.writes == 3 && d.inFlight == 1)
        kernel.reads = [.error(.interrupted)]
        kernel.completeNext()
        try d.handleReadable()
        #expect(out.list == [.completed(.good)])
        #expect(kernel.readCalls == 2)  // EINTR, the completion; no EAGAIN read: the kernel holds no command
    }

    @Test func aCommandPastItsDeadlineTimesOutOnceAndItsLateCompletionIsDiscarded() throws {
        let d = try device()
        let out = Outcomes()
        try d.submit(.testUnitReady, timeout: .seconds(2), now: t0, completion: out.sink())
        try d.submit(.testUnitReady, timeout: .seconds(5), now: t0, completion: out.sink())
        d.expire(now: t0 + .milliseconds(1999))
        #expect(out.list.isEmpty)
        d.expire(now: t0 + .seconds(2))
        #expect(out.list == [.timedOut])
        d.expire(now: t0 + .seconds(3))
        #expect(out.list == [.timedOut])
        #expect(d.earliestDeadline == t0 + .seconds(5))
        #expect(d.inFlight == 2)  // the timed-out command keeps its kernel slot and buffers

        kernel.completeNext(SCSIResult(hostStatus: HostStatus.timeOut))
        try d.handleReadable()
        #expect(out.list == [.timedOut])
        #expect(d.lateCompletions == 1 && d.inFlight == 1)
    }

    /// A loop busy past a deadline may reach the timer before the fd: what the kernel returned in time counts.
    @Test func aCompletionWaitingUnreadAtTheDeadlineIsDeliveredNotTimedOut() throws {
        let d = try device()
        let out = Outcomes()
        try d.submit(.testUnitReady, timeout: .seconds(2), now: t0, completion: out.sink())
        kernel.completeNext()
        d.expire(now: t0 + .seconds(3))
        #expect(out.list == [.completed(.good)])
        #expect(d.lateCompletions == 0 && d.inFlight == 0)
    }

    @Test func timedOutCommandsStillCountAgainstTheQueue() throws {
        let d = try device()
        for _ in 0..<SGDevice.maxInFlight { try d.submit(.testUnitReady, timeout: .seconds(1), now: t0) { _ in } }
        d.expire(now: t0 + .seconds(1))
        #expect(d.earliestDeadline == nil)
        #expect(throws: SGSubmitError.self) { try d.submit(.testUnitReady, timeout: .seconds(1), now: t0) { _ in } }
    }

    @Test func deviceRemovalDuringReadEndsEveryCommand() throws {
        let d = try device()
        let out = Outcomes()
        try d.submit(.testUnitReady, timeout: .seconds(1), now: t0, completion: out.sink())
        try d.submit(.testUnitReady, timeout: .seconds(1), now: t0, completion: out.sink())
        d.expire(now: t0 + .seconds(1))  // both already reported: removal must not report them again
        try d.submit(.testUnitReady, timeout: .seconds(1), now: t0 + .seconds(1), completion: out.sink())
        kernel.reads = [.error(.noDevice)]
        try d.handleReadable()
        #expect(out.list == [.timedOut, .timedOut, .deviceGone("read /dev/sg1: \(Errno.noDevice)")])
        #expect(d.isGone)
        #expect { try d.submit(.testUnitReady, timeout: .seconds(1), now: t0) { _ in } } throws: { error in
            (error as? SGSubmitError)?.outcome == .deviceGone("/dev/sg1 is gone")
        }
        d.close()
        #expect(kernel.closed == [42] && d.fd == nil && d.inFlight == 0)
    }

    @Test func hangupEndsEveryCommand() throws {
        let d = try device()
        let out = Outcomes()
        try d.submit(.testUnitReady, timeout: .seconds(1), now: t0, completion: out.sink())
        d.handleHangup()
        #expect(out.list == [.deviceGone("/dev/sg1: hangup")])
    }

    @Test(arguments: [(ENXIO, true), (ENODEV, true), (EDOM, false), (EIO, false)])
    func writeErrors(_ code: Int32, _ gone: Bool) throws {
        let d = try device()
        kernel.writeErrors = [Errno(rawValue: code)]
        var called = false
        #expect { try d.submit(.testUnitReady, timeout: .seconds(1), now: t0) { _ in called = true } } throws: { error in
            guard let e = error as? SGSubmitError else { return false }
            if case .deviceGone = e.outcome { return gone }
            if code == EDOM, case .queueFull = e { return true }
            if case .failed(let s) = e { return s.errno.rawValue == code }
            return false
        }
        #expect(!called && d.inFlight == 0)
    }

    @Test func aShortReadIsAnErrorAndItsCommandEndsAtItsDeadline() throws {
        let d = try device()
        let out = Outcomes()
        try d.submit(.testUnitReady, timeout: .seconds(1), now: t0, completion: out.sink())
        kernel.reads = [.short(40)]
        #expect(throws: SystemError.self) { try d.handleReadable() }
        d.expire(now: t0 + .seconds(1))
        #expect(out.list == [.timedOut])
    }

    @Test func closeEndsPendingCommands() throws {
        let d = try device()
        let out = Outcomes()
        try d.submit(.testUnitReady, timeout: .seconds(1), now: t0, completion: out.sink())
        d.close()
        d.close()
        #expect(out.list == [.deviceGone("/dev/sg1 closed")])
        #expect(kernel.closed == [42])
    }

    @Test func aCompletionHandlerMaySubmitAgain() throws {
        let d = try device()
        var attempts = 0
        func check() throws {
            try d.submit(.testUnitReady, timeout: .seconds(1), now: t0) { outcome in
                attempts += 1
                if case .retry = CommandInterpreter.interpret(outcome, command: "TUR") { try? check() }
            }
        }
        try check()
        kernel.completeNext(SCSIResult(status: 2, sense: [0x70, 0, 6, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x29, 0]))
        try d.handleReadable()
        #expect(d.inFlight == 1)
        kernel.completeNext()
        try d.handleReadable()
        #expect(attempts == 2 && d.inFlight == 0)
    }
}
