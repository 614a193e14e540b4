import FuzzSupport
import MultipathCore

/// SCSI data from a device: standard INQUIRY, VPD pages 0x00, 0x80 and 0x83 (WWIDs, port groups), sense
/// data, REPORT TARGET PORT GROUPS, and a whole command result as the checkers read it (tur, rdac,
/// emc_clariion, hp_sw). The first byte selects the parser; the rest is the device's bytes.
@_cdecl("FuzzSCSI_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, parseSCSI)
}

func parseSCSI(_ input: [UInt8]) {
    guard let mode = input.first else { return }
    let b = Array(input.dropFirst())
    switch mode % 6 {
    case 0: _ = StandardInquiry(b)
    case 1: _ = (supportedVPDPages(b), unitSerialNumber(b))
    case 2:
        guard let page = DeviceIdentification(b) else { return }
        _ = (page.kernelWWID, page.multipathWWID, page.relativeTargetPort, page.targetPortGroup)
    case 3:
        guard let sense = Sense(b) else { return }
        _ = CommandInterpreter.interpret(sense, command: "TUR")
    case 4:
        for group in parseTargetPortGroups(b) ?? [] { _ = aluaPriority(group.state, preferred: group.preferred) }
    default: check(result(b))
    }
}

/// A result from the bytes: status, host status, driver status, a sense length, the sense, then the data.
func result(_ b: [UInt8]) -> SCSIResult {
    var rest = b[...]
    func next() -> UInt8 { rest.popFirst() ?? 0 }
    let (status, host, driver) = (next(), UInt16(next()), UInt16(next()))
    let sense = Array(rest.prefix(Int(next())))
    rest = rest.dropFirst(sense.count)
    return SCSIResult(status: status, hostStatus: host, driverStatus: driver, sense: sense, data: Array(rest))
}

func check(_ r: SCSIResult) {
    let outcome = CommandOutcome.completed(r)
    if case .verdict(let v) = CommandInterpreter.interpret(outcome, command: "TUR") { _ = v.description }
    for attempt in 1...CommandInterpreter.maxAttempts {
        _ = CommandInterpreter.settle(CommandInterpreter.interpret(r, command: "TUR"), attempt: attempt)
    }
    _ = (VendorCheckers.rdac(outcome), VendorCheckers.emcClariion(outcome), VendorCheckers.hpSw(inquiry: outcome, tur: outcome))
}
