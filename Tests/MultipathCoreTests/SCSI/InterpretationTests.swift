import MultipathCore
import Testing

/// Fixed-format sense (0x70) with key/ASC/ASCQ at 2/12/13, 18 bytes as most devices send.
private func fixed(_ key: UInt8, _ asc: UInt8, _ ascq: UInt8, code: UInt8 = 0x70) -> [UInt8] {
    [code, 0, key, 0, 0, 0, 0, 10, 0, 0, 0, 0, asc, ascq, 0, 0, 0, 0]
}

/// Descriptor-format sense (0x72) with key/ASC/ASCQ at 1/2/3 and no descriptors.
private func descriptor(_ key: UInt8, _ asc: UInt8, _ ascq: UInt8) -> [UInt8] {
    [0x72, key, asc, ascq, 0, 0, 0, 0]
}

private let checkCondition: UInt8 = 0x02
private let driverSense: UInt16 = 0x08

@Suite struct InterpretationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var outcome: CommandOutcome
        /// nil: expect a retry.
        var state: PathState?
        var reason: String
        var testDescription: String { label }
    }

    @Test(arguments: [
        Case(label: "good", outcome: .completed(.good), state: .up, reason: "TUR good"),
        Case(
            label: "standby, fixed sense",
            outcome: .completed(SCSIResult(status: checkCondition, driverStatus: driverSense, sense: fixed(2, 4, 0x0b))),
            state: .ghost, reason: "TUR failed with sense 02/04/0b: ALUA standby"),
        Case(
            label: "standby, descriptor sense",
            outcome: .completed(SCSIResult(status: checkCondition, driverStatus: driverSense, sense: descriptor(2, 4, 0x0b))),
            state: .ghost, reason: "TUR failed with sense 02/04/0b: ALUA standby"),
        Case(
            label: "transitioning", outcome: .completed(SCSIResult(status: checkCondition, sense: descriptor(2, 4, 0x0a))),
            state: .pending, reason: "TUR failed with sense 02/04/0a: ALUA state transition"),
        Case(
            label: "unavailable", outcome: .completed(SCSIResult(status: checkCondition, sense: fixed(2, 4, 0x0c))),
            state: .down, reason: "TUR failed with sense 02/04/0c: ALUA unavailable"),
        Case(
            label: "ALUA offline (LIO: invalid field in CDB)",
            outcome: .completed(SCSIResult(status: checkCondition, sense: fixed(5, 0x24, 0))),
            state: .down, reason: "TUR failed with sense 05/24/00"),
        Case(
            label: "medium not present", outcome: .completed(SCSIResult(status: checkCondition, sense: fixed(2, 0x3a, 0))),
            state: .down, reason: "TUR failed with sense 02/3a/00"),
        Case(
            label: "deferred error format 0x71",
            outcome: .completed(SCSIResult(status: checkCondition, sense: fixed(2, 4, 0x0b, code: 0x71))),
            state: .ghost, reason: "TUR failed with sense 02/04/0b: ALUA standby"),
        Case(
            label: "valid bit set (0xf0)", outcome: .completed(SCSIResult(status: checkCondition, sense: fixed(3, 0x11, 0, code: 0xf0))),
            state: .down, reason: "TUR failed with sense 03/11/00"),
        Case(
            label: "sense via driver status only",
            outcome: .completed(SCSIResult(driverStatus: driverSense, sense: descriptor(2, 4, 0x0a))),
            state: .pending, reason: "TUR failed with sense 02/04/0a: ALUA state transition"),
        Case(
            label: "recovered error", outcome: .completed(SCSIResult(status: checkCondition, sense: fixed(1, 0x17, 1))),
            state: .up, reason: "TUR good (recovered error 01/17/01)"),
        Case(
            label: "unit attention", outcome: .completed(SCSIResult(status: checkCondition, sense: fixed(6, 0x29, 0))),
            state: nil, reason: "TUR got UNIT ATTENTION 06/29/00"),
        Case(
            label: "check condition, no sense", outcome: .completed(SCSIResult(status: checkCondition)),
            state: .down, reason: "TUR failed: CHECK CONDITION without sense data"),
        Case(
            label: "sense of an unknown format", outcome: .completed(SCSIResult(status: checkCondition, sense: [0x7f, 2, 4, 0x0b])),
            state: .down, reason: "TUR failed: CHECK CONDITION without sense data"),
        Case(
            label: "reservation conflict", outcome: .completed(SCSIResult(status: 0x18)),
            state: .up, reason: "TUR got RESERVATION CONFLICT: path is usable, reserved by another initiator"),
        Case(label: "busy", outcome: .completed(SCSIResult(status: 0x08)), state: nil, reason: "TUR got BUSY"),
        Case(label: "task set full", outcome: .completed(SCSIResult(status: 0x28)), state: nil, reason: "TUR got TASK SET FULL"),
        Case(
            label: "DID_TIME_OUT", outcome: .completed(SCSIResult(hostStatus: 0x03)),
            state: .timeout, reason: "TUR timed out in the kernel (DID_TIME_OUT)"),
        Case(
            label: "DID_NO_CONNECT (offline device)", outcome: .completed(SCSIResult(hostStatus: 0x01)),
            state: .down, reason: "TUR failed: DID_NO_CONNECT"),
        Case(
            label: "DID_TRANSPORT_FAILFAST", outcome: .completed(SCSIResult(hostStatus: 0x0f)),
            state: .down, reason: "TUR failed: DID_TRANSPORT_FAILFAST"),
        Case(label: "DID_BUS_BUSY", outcome: .completed(SCSIResult(hostStatus: 0x02)), state: nil, reason: "TUR failed: DID_BUS_BUSY"),
        Case(
            label: "DID_TRANSPORT_DISRUPTED", outcome: .completed(SCSIResult(hostStatus: 0x0e)),
            state: nil, reason: "TUR failed: DID_TRANSPORT_DISRUPTED"),
        Case(
            label: "DRIVER_TIMEOUT", outcome: .completed(SCSIResult(driverStatus: 0x06)),
            state: .timeout, reason: "TUR timed out in the driver (DRIVER_TIMEOUT)"),
        Case(
            label: "driver error without sense", outcome: .completed(SCSIResult(driverStatus: 0x04)),
            state: .down, reason: "TUR failed: driver status 0x04"),
        Case(label: "our deadline", outcome: .timedOut, state: .timeout, reason: "TUR timed out"),
        Case(label: "device gone", outcome: .deviceGone("ENXIO"), state: .down, reason: "path offline (ENXIO)"),
        Case(label: "submit failed", outcome: .failed("sg queue full"), state: .down, reason: "TUR could not run: sg queue full")
    ])
    func tur(_ c: Case) {
        let i = CommandInterpreter.interpret(c.outcome, command: "TUR")
        if let state = c.state {
            #expect(i == .verdict(CheckerVerdict(state, c.reason)))
        } else {
            #expect(i == .retry(c.reason))
        }
    }

    @Test func retriesAreBounded() {
        let ua = CommandInterpreter.interpret(.completed(SCSIResult(status: 2, sense: fixed(6, 0x29, 0))), command: "TUR")
        for attempt in 1..<CommandInterpreter.maxAttempts {
            #expect(CommandInterpreter.settle(ua, attempt: attempt) == nil)
        }
        #expect(
            CommandInterpreter.settle(ua, attempt: CommandInterpreter.maxAttempts)
                == CheckerVerdict(.down, "TUR got UNIT ATTENTION 06/29/00, 5 attempts"))
        #expect(CommandInterpreter.settle(.verdict(CheckerVerdict(.up, "x")), attempt: 1) == CheckerVerdict(.up, "x"))
    }

    @Test func senseFormats() {
        #expect(Sense(fixed(2, 4, 0x0b)) == Sense(key: 2, asc: 4, ascq: 0x0b))
        #expect(Sense([0x70, 0, 0x06]) == Sense(key: 6, asc: 0, ascq: 0))  // additional length 0: key only
        #expect(Sense([0x72, 0x02, 0x04]) == nil)
        #expect(Sense([]) == nil)
        #expect(Sense(descriptor(0xe, 0x1d, 0)).map(\.description) == "0e/1d/00")
    }
}
