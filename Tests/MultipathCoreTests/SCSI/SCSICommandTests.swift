import MultipathCore
import Testing

@Suite struct SCSICommandTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var command: SCSICommand
        var cdb: [UInt8]
        var transfer: Int
        var testDescription: String { command.name }
    }

    @Test(arguments: [
        Case(command: .testUnitReady, cdb: [0x00, 0, 0, 0, 0, 0], transfer: 0),
        Case(command: .inquiry(allocationLength: 36), cdb: [0x12, 0, 0, 0, 36, 0], transfer: 36),
        Case(command: .inquiry(vpdPage: 0x00), cdb: [0x12, 1, 0x00, 0, 0xff, 0], transfer: 255),
        Case(command: .inquiry(vpdPage: 0x80), cdb: [0x12, 1, 0x80, 0, 0xff, 0], transfer: 255),
        Case(command: .inquiry(vpdPage: 0x83, allocationLength: 0x1000), cdb: [0x12, 1, 0x83, 0x10, 0x00, 0], transfer: 4096),
        Case(command: .reportTargetPortGroups(), cdb: [0xa3, 0x0a, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0], transfer: 4096),
        Case(command: .read10(lba: 0x1234_5678, blockSize: 512), cdb: [0x28, 0, 0x12, 0x34, 0x56, 0x78, 0, 0, 1, 0], transfer: 512),
        Case(
            command: .read16(lba: 0x0102_0304_0506_0708, blockSize: 4096),
            cdb: [0x88, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 1, 0, 0], transfer: 4096),
        Case(command: .rdacVolumeAccess, cdb: [0x12, 1, 0xc9, 0, 48, 0], transfer: 48),
        Case(command: .emcUnitPathReport, cdb: [0x12, 1, 0xc0, 0, 128, 0], transfer: 128),
        Case(command: .hpSwInquiry, cdb: [0x12, 1, 0x80, 0, 255, 0], transfer: 255)
    ])
    func cdbBytes(_ c: Case) {
        #expect(c.command.cdb == c.cdb)
        #expect(c.command.transferLength == c.transfer)
    }

    @Test func vpdCommandNamesThePage() {
        #expect(SCSICommand.inquiry(vpdPage: 0xc9).name == "INQUIRY VPD 0xc9")
    }
}
