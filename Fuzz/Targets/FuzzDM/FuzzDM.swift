import FuzzSupport
import MultipathCore

/// Device-mapper text: a multipath target's table, its status, and a target message. Whatever parses must
/// print as text that parses to the same value (the daemon compares tables it built with the kernel's).
/// The first byte selects: 0 a table, 1 a status, 2 a message.
@_cdecl("FuzzDM_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, parseDM)
}

func parseDM(_ input: [UInt8]) {
    guard let mode = input.first else { return }
    let s = text(input.dropFirst())
    switch mode % 3 {
    case 0:
        guard let table = try? MultipathTable(parsing: s) else { return }
        _ = (table.pathDevices, table.queueIfNoPath, table.pgInitRetries, table.pgInitDelayMilliseconds)
        if (try? MultipathTable(parsing: table.description)) != table { fail("table \(table) reads back differently") }
    case 1:
        guard let status = try? MultipathStatus(parsing: s) else { return }
        if (try? MultipathStatus(parsing: status.description)) != status { fail("status \(status) reads back differently") }
    default:
        guard let message = MultipathMessage(s) else { return }
        if MultipathMessage(message.description) != message { fail("message \(message) reads back differently") }
    }
}
