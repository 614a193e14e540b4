import Testing

@testable import MultipathCore

@Suite struct ANATests {
    private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    /// A log header claiming `count` groups, then the descriptors given.
    private func log(count: UInt16, _ groups: [(id: UInt32, state: UInt8, nsids: [UInt32], claimed: UInt32?)]) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 16)
        b[0] = 7  // change count
        b[8] = UInt8(count & 0xff)
        b[9] = UInt8(count >> 8)
        for g in groups {
            var d = le32(g.id) + le32(g.claimed ?? UInt32(g.nsids.count)) + [UInt8](repeating: 0, count: 24)
            d[16] = g.state
            b += d + g.nsids.flatMap(le32)
        }
        return b
    }

    // MARK: Commands

    /// nvme-cli's `nvme id-ctrl` and 0.9.4's nvme_identify_ctrl: opcode 6, CNS 1 in CDW10, 4 KiB.
    @Test func identifyControllerBytes() {
        let b = NVMeAdminCommand.identifyController.uringCommand(dataAddress: 0x1122_3344_5566_7788, timeoutMilliseconds: 5000)
        var expected = [UInt8](repeating: 0, count: 72)
        expected[0] = 0x06
        expected[24..<32] = [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]
        expected[36..<40] = [0x00, 0x10, 0x00, 0x00]  // data_len 4096
        expected[40] = 1  // cdw10: CNS 1
        expected[64..<68] = [0x88, 0x13, 0x00, 0x00]  // timeout_ms 5000
        #expect(b == expected)
    }

    @Test func identifyNamespaceBytes() {
        let b = NVMeAdminCommand.identifyNamespace(3).uringCommand(dataAddress: 0, timeoutMilliseconds: 0)
        #expect(b[0] == 0x06)
        #expect(Array(b[4..<8]) == [3, 0, 0, 0])
        #expect(Array(b[40..<44]) == [0, 0, 0, 0])  // CNS 0
        #expect(Array(b[36..<40]) == [0x00, 0x10, 0, 0])
    }

    /// 0.9.4's nvme_ana_log: NSID all, LID 0x0C, RAE, NUMD = dwords - 1 split over CDW10/CDW11, LSP RGO.
    @Test func anaLogBytes() {
        let c = NVMeAdminCommand.anaLog(length: 16 + 32 * 2 + 4 * 1024, groupsOnly: false)
        #expect(c.dataLength == 4176)
        let b = c.uringCommand(dataAddress: 0, timeoutMilliseconds: 0)
        #expect(b[0] == 0x02)
        #expect(Array(b[4..<8]) == [0xff, 0xff, 0xff, 0xff])
        #expect(Array(b[36..<40]) == [0x50, 0x10, 0, 0])
        // cdw10: LID 0x0C, RAE bit 15, NUMDL 1043 (0x413) in bits 31-16.
        #expect(Array(b[40..<44]) == [0x0C, 0x80, 0x13, 0x04])
        #expect(Array(b[44..<48]) == [0, 0, 0, 0])
        let rgo = NVMeAdminCommand.anaLog(length: 0x40000 + 16, groupsOnly: true)
        let r = rgo.uringCommand(dataAddress: 0, timeoutMilliseconds: 0)
        #expect(Array(r[40..<44]) == [0x0C, 0x81, 0x03, 0x00])  // LSP 1, NUMDL 0x0003
        #expect(Array(r[44..<48]) == [0x01, 0, 0, 0])  // NUMDU 1
    }

    // MARK: Identify

    @Test func identifyControllerFields() throws {
        var b = [UInt8](repeating: 0, count: 4096)
        b[76] = 0x0B  // multi-port, multi-controller, ANA
        b[343] = 0x47  // ANACAP: states reported, ANAGRPID constant
        b[348..<352] = [2, 0, 0, 0]
        b[540..<544] = [0x00, 0x04, 0, 0]
        let c = try #require(NVMeControllerANA(identifyController: b))
        #expect(c == NVMeControllerANA(reportsANA: true, groupIDIsConstant: true, groupCount: 2, maxNamespaces: 1024))
        #expect(c.anaLogLength == 16 + 64)
        var varying = c
        varying.groupIDIsConstant = false
        #expect(varying.anaLogLength == 16 + 64 + 4096)
        b[76] = 0x03
        #expect(NVMeControllerANA(identifyController: b)?.reportsANA == false)
        #expect(NVMeControllerANA(identifyController: Array(b[..<543])) == nil)
    }

    /// A controller claiming 2^32-1 groups and namespaces is read at most `maxLogLength`.
    @Test func hugeCountsAreBounded() {
        let c = NVMeControllerANA(reportsANA: true, groupIDIsConstant: false, groupCount: .max, maxNamespaces: .max)
        #expect(c.anaLogLength == NVMeControllerANA.maxLogLength)
    }

    @Test func namespaceGroupID() {
        var b = [UInt8](repeating: 0, count: 4096)
        b[92..<96] = [0x02, 0x01, 0, 0]
        #expect(nvmeNamespaceANAGroupID(b) == 0x102)
        #expect(nvmeNamespaceANAGroupID(Array(b[..<95])) == nil)
    }

    // MARK: Log page

    @Test func groupsWithNSIDs() throws {
        let l = try #require(ANALog(log(count: 2, [(1, 0x01, [1, 2], nil), (2, 0x02, [3], nil)])))
        #expect(l.groups == [ANALog.Group(id: 1, state: 1, nsids: [1, 2]), ANALog.Group(id: 2, state: 2, nsids: [3])])
        #expect(!l.cutShort)
        #expect(l.state(nsid: 3, groupID: 0) == .success(2))
        #expect(l.state(nsid: 2, groupID: 0) == .success(1))
        #expect(l.state(nsid: 9, groupID: 0) == .failure(.notFound))
    }

    /// RGO: descriptors without NSIDs, the group found by ANAGRPID.
    @Test func groupsOnly() throws {
        let l = try #require(ANALog(log(count: 2, [(1, 0x02, [], nil), (2, 0x01, [], nil)])))
        #expect(l.state(nsid: 1, groupID: 2) == .success(1))
        #expect(l.state(nsid: 1, groupID: 0) == .failure(.notFound))
    }

    /// The header counts more groups than the data holds: the ones that fit are kept.
    @Test func lyingGroupCount() throws {
        let l = try #require(ANALog(log(count: 0xffff, [(1, 0x01, [5], nil)])))
        #expect(l.groups.count == 1)
        #expect(l.cutShort)
        #expect(l.state(nsid: 5, groupID: 0) == .success(1))
        #expect(l.state(nsid: 6, groupID: 0) == .failure(.overflow))
    }

    /// A descriptor claims more NSIDs than follow (up to 2^32-1): it is not read at all.
    @Test func lyingNSIDCount() throws {
        for claimed in [UInt32(2), .max] {
            let l = try #require(ANALog(log(count: 2, [(1, 0x02, [], nil), (2, 0x01, [7], claimed)])))
            #expect(l.groups == [ANALog.Group(id: 1, state: 2)])
            #expect(l.state(nsid: 7, groupID: 0) == .failure(.overflow))
        }
    }

    @Test func truncatedData() {
        #expect(ANALog([UInt8](repeating: 0, count: 15)) == nil)
        let full = log(count: 1, [(1, 0x01, [1], nil)])
        for n in 16..<full.count { #expect(ANALog(Array(full[..<n]))?.cutShort == true) }
        #expect(ANALog([UInt8](repeating: 0, count: 16))?.groups == [])
    }

    /// 0.9.4's getprio: optimized 50, non-optimized 10, inaccessible and change 1, persistent loss 0;
    /// any other state byte has none.
    @Test func priorities() {
        #expect(ANAState.allPriorities == [1: 50, 2: 10, 3: 1, 4: 0, 0x0F: 1])
        #expect(ANAState(rawValue: 0) == nil)
        #expect(ANAState(rawValue: 0x11) == nil)
    }
}

extension ANAState {
    fileprivate static var allPriorities: [UInt8: Int] {
        Dictionary(
            uniqueKeysWithValues: [ANAState.optimized, .nonOptimized, .inaccessible, .persistentLoss, .change].map {
                ($0.rawValue, $0.priority)
            })
    }
}
