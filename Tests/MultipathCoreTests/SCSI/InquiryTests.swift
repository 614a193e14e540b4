import MultipathCore
import Testing

private func ascii(_ s: String) -> [UInt8] { Array(s.utf8) }

/// VPD page 0x83 from a header and raw designators (each: code set byte, type byte, identifier).
private func page83(_ designators: [(UInt8, UInt8, [UInt8])]) -> [UInt8] {
    var body: [UInt8] = []
    for (codeSet, type, id) in designators { body += [codeSet, type, 0, UInt8(id.count)] + id }
    return [0x00, 0x83, UInt8(body.count >> 8), UInt8(body.count & 0xff)] + body
}

/// What scsi_debug (Linux 6.1, dev_id_num 2000, port group 0x100) answers for VPD 0x83.
private let scsiDebug83 = page83([
    (0x02, 0x01, ascii("Linux   scsi_debug      2000")),  // T10 vendor id, LU
    (0x01, 0x03, [0x33, 0x33, 0x33, 0x30, 0x00, 0x00, 0x07, 0xd0]),  // NAA 3 locally assigned, LU
    (0x61, 0x94, [0, 0, 0, 1]),  // relative target port 1
    (0x61, 0x93, [0x52, 0x22, 0x22, 0x20, 0x00, 0x00, 0x00, 0x01]),  // NAA target port
    (0x61, 0x95, [0, 0, 0x01, 0x00]),  // target port group 0x100
    (0x61, 0xa3, [0x52, 0x22, 0x22, 0x20, 0x00, 0x00, 0x07, 0xd1]),  // NAA target device
    (0x63, 0xa8, ascii("naa.52222220000007d1") + [0, 0, 0, 0])  // SCSI name, target device
])

@Suite struct InquiryTests {
    @Test func standardInquiry() throws {
        var b = [UInt8](repeating: 0, count: 36)
        b[0] = 0x00
        b[5] = 0x10
        b.replaceSubrange(8..<36, with: ascii("Linux   scsi_debug      0191"))
        let i = try #require(StandardInquiry(b))
        #expect(i.vendor == "Linux")
        #expect(i.product == "scsi_debug")
        #expect(i.revision == "0191")
        #expect(i.tpgs == 1)
        #expect(i.peripheralQualifier == 0 && i.deviceType == 0)
        #expect(StandardInquiry(Array(b.prefix(35))) == nil)
    }

    @Test func serialAndSupportedPages() {
        #expect(unitSerialNumber([0, 0x80, 0, 8] + ascii("  1234  ")) == "1234")
        #expect(unitSerialNumber([0, 0x80, 0, 20] + ascii("ABC")) == "ABC")  // page shorter than it says
        #expect(unitSerialNumber([0, 0x83, 0, 0]) == nil)
        #expect(supportedVPDPages([0, 0, 0, 4, 0x00, 0x80, 0x83, 0x86]) == [0x00, 0x80, 0x83, 0x86])
    }

    struct WWIDCase: Sendable, CustomTestStringConvertible {
        var label: String
        var page: [UInt8]
        var kernel: String?
        var multipath: String?
        var testDescription: String { label }
    }

    @Test(arguments: [
        WWIDCase(
            label: "scsi_debug: T10 + NAA local", page: scsiDebug83,
            kernel: "naa.33333330000007d0", multipath: "1Linux_scsi_debug_2000"),
        // The Hitachi page from the kernel's designator-priority fix: NAA 6 must beat a longer T10 id.
        WWIDCase(
            label: "T10 then NAA 6",
            page: page83([
                (0x02, 0x01, ascii("HITACHI 5030C3502025")),
                (0x01, 0x00, [0x08, 0x03]),
                (0x01, 0x03, [0x60, 0x06, 0x0e, 0x80, 0x07, 0xc3, 0x50, 0x00, 0x00, 0x30, 0xc3, 0x50, 0x00, 0x00, 0x20, 0x25])
            ]), kernel: "naa.60060e8007c350000030c35000002025", multipath: "360060e8007c350000030c35000002025"),
        WWIDCase(
            label: "NAA 5 registered", page: page83([(0x01, 0x03, [0x50, 0x01, 0x43, 0x80, 0x12, 0x34, 0x56, 0x78])]),
            kernel: "naa.5001438012345678", multipath: "35001438012345678"),
        WWIDCase(
            label: "NAA 2 extended: multipath only", page: page83([(0x01, 0x03, [0x20, 0x00, 0x00, 0x0e, 0x1e, 0x09, 0xa0, 0x01])]),
            kernel: nil, multipath: "32000000e1e09a001"),
        WWIDCase(
            label: "EUI-64 8 and 16 bytes",
            page: page83([
                (0x01, 0x02, [1, 2, 3, 4, 5, 6, 7, 8]),
                (0x01, 0x02, [0xaa, 0xbb, 0xcc, 0xdd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
            ]), kernel: "eui.aabbccdd000000000000000000000001", multipath: "20102030405060708"),
        WWIDCase(
            label: "NAA 6 beats EUI-64 for multipath; the kernel prefers 16-byte EUI over NAA 5",
            page: page83([
                (0x01, 0x02, [0xaa, 0xbb, 0xcc, 0xdd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
                (0x01, 0x03, [0x50, 0x01, 0x43, 0x80, 0x12, 0x34, 0x56, 0x78])
            ]), kernel: "eui.aabbccdd000000000000000000000001", multipath: "35001438012345678"),
        WWIDCase(
            label: "SCSI name string naa.: kernel as is, multipath lowercased",
            page: page83([
                (0x03, 0x08, ascii("naa.6001405ABCDEF012") + [0, 0, 0, 0]),
                (0x02, 0x01, ascii("LIO-ORG ramdisk"))
            ]), kernel: "naa.6001405ABCDEF012", multipath: "36001405abcdef012"),
        WWIDCase(
            label: "SCSI name string iqn.", page: page83([(0x03, 0x08, ascii("iqn.2003-01.org.x:Lun0") + [0, 0])]),
            kernel: "iqn.2003-01.org.x:Lun0", multipath: "82003-01.org.x:Lun0"),
        WWIDCase(
            label: "SCSI name of another kind: kernel only", page: page83([(0x03, 0x08, ascii("abc.def") + [0])]),
            kernel: "abc.def", multipath: nil),
        WWIDCase(
            label: "T10 with trailing blanks and a control byte", page: page83([(0x02, 0x01, ascii("VEND    prod  ") + [0x01])]),
            kernel: "t10.VEND    prod  \\001", multipath: "1VEND_prod_\u{01}"),
        WWIDCase(
            label: "T10 shorter than 8 bytes: kernel only", page: page83([(0x02, 0x01, ascii("ABC"))]),
            kernel: "t10.ABC", multipath: nil),
        WWIDCase(
            label: "only target-port designators", page: page83([(0x61, 0x93, [0x52, 0, 0, 0, 0, 0, 0, 1])]),
            kernel: nil, multipath: nil),
        WWIDCase(label: "empty page", page: [0, 0x83, 0, 0], kernel: nil, multipath: nil)
    ])
    func wwid(_ c: WWIDCase) throws {
        let p = try #require(DeviceIdentification(c.page))
        #expect(p.kernelWWID == c.kernel)
        #expect(p.multipathWWID == c.multipath)
    }

    @Test func portIdentifiersFromTheTargetPortDesignators() throws {
        let p = try #require(DeviceIdentification(scsiDebug83))
        #expect(p.designators.count == 7)
        #expect(p.relativeTargetPort == 1)
        #expect(p.targetPortGroup == 0x100)
    }

    @Test func truncatedDesignatorEndsTheList() throws {
        var b = page83([(0x01, 0x03, [0x50, 1, 2, 3, 4, 5, 6, 7]), (0x01, 0x03, [0x60] + [UInt8](repeating: 1, count: 15))])
        b.removeLast(4)  // the second designator is cut; the page length still claims all of it
        let p = try #require(DeviceIdentification(b))
        #expect(p.designators.count == 1)
        #expect(p.multipathWWID == "35001020304050607")
        #expect(DeviceIdentification([0, 0x80, 0, 0]) == nil)
    }
}

@Suite struct ALUATests {
    private static let twoGroups: [UInt8] = [
        0, 0, 0, 24,
        0x80, 0x8f, 0x00, 0x01, 0, 0x00, 0, 1, 0, 0, 0, 1,  // TPG 1, preferred, active/optimized, port 1
        0x02, 0x8f, 0x00, 0x02, 0, 0x02, 0, 1, 0, 0, 0, 2  // TPG 2, standby, port 2
    ]

    @Test func lengthOnlyFormat() throws {
        let g = try #require(parseTargetPortGroups(Self.twoGroups))
        #expect(
            g == [
                TargetPortGroup(id: 1, state: .activeOptimized, preferred: true, relativePorts: [1]),
                TargetPortGroup(id: 2, state: .standby, preferred: false, relativePorts: [2])
            ])
    }

    @Test func extendedFormat() throws {
        let b: [UInt8] = [
            0, 0, 0, 4 + 16, 0x10, 60, 0, 0,
            0x0f, 0x8f, 0x00, 0x07, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4
        ]
        #expect(parseTargetPortGroups(b) == [TargetPortGroup(id: 7, state: .transitioning, preferred: false, relativePorts: [3, 4])])
    }

    @Test func truncatedDescriptorEndsTheList() {
        #expect(parseTargetPortGroups(Array(Self.twoGroups.prefix(20)))?.count == 1)
        #expect(parseTargetPortGroups([0, 0]) == nil)
    }

    @Test(arguments: [
        (ALUAState.activeOptimized, false, false, 50), (.activeOptimized, true, false, 50), (.activeOptimized, true, true, 130),
        (.activeNonOptimized, false, false, 10), (.activeNonOptimized, true, false, 90), (.lbaDependent, false, false, 5),
        (.standby, false, false, 1), (.standby, true, false, 81), (.unavailable, false, false, 0), (.unavailable, true, false, 80),
        (.offline, false, false, 0), (.transitioning, false, false, 0), (.reserved(5), false, false, 0)
    ])
    func priority(_ state: ALUAState, _ preferred: Bool, _ exclusive: Bool, _ expected: Int) {
        #expect(aluaPriority(state, preferred: preferred, exclusivePreferredBit: exclusive) == expected)
    }

    @Test func stateNames() {
        #expect(ALUAState(code: 0x80).description == "active/optimized")
        #expect(ALUAState(code: 0x0e) == .offline)
        #expect(ALUAState(code: 0x08).description == "invalid/reserved")
    }
}

@Suite struct VendorCheckerTests {
    private func page(_ size: Int, _ set: [Int: UInt8]) -> CommandOutcome {
        var b = [UInt8](repeating: 0, count: size)
        for (i, v) in set { b[i] = v }
        return .completed(SCSIResult(data: b))
    }

    @Test func rdac() {
        #expect(VendorCheckers.rdac(page(48, [1: 0xc9, 8: 0x01])).state == .up)
        #expect(VendorCheckers.rdac(page(48, [1: 0xc9, 8: 0x20])).state == .up)  // I/O shipping
        #expect(VendorCheckers.rdac(page(48, [1: 0xc9])) == CheckerVerdict(.ghost, "rdac: path is ghost"))
        #expect(VendorCheckers.rdac(page(48, [8: 0x11, 10: 0x03])) == CheckerVerdict(.down, "rdac: ctlr is unavailable"))
        #expect(VendorCheckers.rdac(page(48, [8: 0x11, 10: 0x0f, 12: 0x00])) == CheckerVerdict(.down, "rdac: ctlr is in startup sequence"))
        #expect(VendorCheckers.rdac(page(48, [8: 0x11, 10: 0x0f, 12: 0x0f])).state == .up)  // both transitioning: STPG in progress
        #expect(VendorCheckers.rdac(page(48, [0: 0x20, 8: 0x01])) == CheckerVerdict(.down, "rdac: lun not connected"))
        #expect(
            VendorCheckers.rdac(.completed(SCSIResult(status: 2, sense: [0x70, 0, 5, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x24, 0])))
                == CheckerVerdict(.down, "rdac: inquiry failed"))
        #expect(VendorCheckers.rdac(.timedOut).state == .timeout)
    }

    @Test func emcClariion() {
        let ok: [Int: UInt8] = [1: 0xc0, 4: 2, 27: 3, 28: 4, 30: 4]
        #expect(VendorCheckers.emcClariion(page(128, ok)) == CheckerVerdict(.up, "emc_clariion: active path is healthy"))
        #expect(
            VendorCheckers.emcClariion(page(128, ok.merging([4: 1]) { $1 })) == CheckerVerdict(.up, "emc_clariion: passive path is healthy")
        )
        #expect(VendorCheckers.emcClariion(page(128, ok.merging([48: 1]) { $1 })).state == .shaky)
        #expect(VendorCheckers.emcClariion(page(128, ok.merging([4: 0]) { $1 })).reason == "emc_clariion: logical unit is unbound or LUNZ")
        #expect(
            VendorCheckers.emcClariion(page(128, ok.merging([28: 1]) { $1 })).reason
                == "emc_clariion: path not correctly configured for failover")
        #expect(
            VendorCheckers.emcClariion(page(128, ok.merging([9: 1]) { $1 })).reason
                == "emc_clariion: path unit report page in unknown format")
        #expect(VendorCheckers.emcClariion(.deviceGone("ENODEV")).state == .down)
    }

    @Test func hpSw() {
        let good = CommandOutcome.completed(.good)
        let notReady = CommandOutcome.completed(SCSIResult(status: 2, sense: [0x70, 0, 2, 0, 0, 0, 0, 10, 0, 0, 0, 0, 4, 2]))
        #expect(VendorCheckers.hpSw(inquiry: good, tur: good).state == .up)
        #expect(VendorCheckers.hpSw(inquiry: good, tur: notReady).state == .ghost)
        #expect(VendorCheckers.hpSw(inquiry: notReady, tur: good).state == .down)
        #expect(VendorCheckers.hpSw(inquiry: good, tur: .timedOut).state == .timeout)
    }
}
