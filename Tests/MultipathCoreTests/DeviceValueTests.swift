import MultipathCore
import Testing

@Suite struct DevTTests {
    @Test(arguments: [
        (UInt64(0x0810), DevT(major: 8, minor: 16)),
        (UInt64(0xfd00), DevT(major: 253, minor: 0)),
        (UInt64(0x1_0000_0000_0800), DevT(major: 0x10008, minor: 0)),
        (UInt64(0x12_3456), DevT(major: 0x234, minor: 0x156))
    ])
    func encoding(encoded: UInt64, devT: DevT) {
        #expect(DevT(encoded: encoded) == devT)
        #expect(devT.encoded == encoded)
    }

    @Test func text() {
        #expect(DevT("8:16") == DevT(major: 8, minor: 16))
        #expect(DevT("8:") == nil)
        #expect(DevT("8:16:1") == nil)
        #expect(DevT(major: 253, minor: 3).description == "253:3")
    }
}

@Suite struct UeventTests {
    @Test(
        arguments: [
            ([("ID_SERIAL", "1Linux_scsi_debug_2000"), ("ID_WWN", "0x3333")], "1Linux_scsi_debug_2000"),
            ([("ID_WWN", "0x3333")], "0x3333"),
            ([("DEVTYPE", "disk")], nil)
        ] as [([(String, String)], String?)])
    func wwid(properties: [(String, String)], expected: String?) {
        let e = Uevent(action: .add, sysname: "sdb", properties: properties.map { (name: $0.0, value: $0.1) })
        #expect(e.wwid == expected)
    }

    @Test(arguments: ["add", "remove", "change", "move", "online", "offline", "bind", "unbind", "frobnicate"])
    func actionRoundTrip(text: String) {
        #expect(Uevent.Action(text).description == text)
    }
}

@Suite struct DMNameListTests {
    /// Builds a DM_LIST_DEVICES data area the way the kernel lays it out.
    static func nameList(_ entries: [(dev: UInt64, name: String, event: UInt32, uuid: String?)]) -> [UInt8] {
        var out: [UInt8] = []
        func pad8() { while out.count % 8 != 0 { out.append(0) } }
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        var previousNext: Int?
        for e in entries {
            if let p = previousNext {
                let off = out.count - p
                out.withUnsafeMutableBytes { $0.storeBytes(of: UInt32(off), toByteOffset: p + 8, as: UInt32.self) }
            }
            previousNext = out.count
            put(e.dev)
            put(UInt32(0))
            out.append(contentsOf: Array(e.name.utf8) + [0])
            pad8()
            put(e.event)
            put(UInt32(e.uuid == nil ? 2 : 1))
            if let u = e.uuid { out.append(contentsOf: Array(u.utf8) + [0]) }
            pad8()
        }
        return out
    }

    @Test func empty() {
        let data = [UInt8](repeating: 0, count: 16)
        #expect(data.withUnsafeBytes { DMDevice.parseNameList($0) } == [])
    }

    @Test func devicesWithAndWithoutUUID() {
        let data = Self.nameList([
            (0xfd00, "mpatha", 3, "mpath-3600"),
            (0xfd01, "zero1234", 0, nil),  // name + NUL fills exactly to an 8-byte boundary after the header
            (0xfd02, "x", 7, "LVM-abc")
        ])
        let parsed = data.withUnsafeBytes { DMDevice.parseNameList($0) }
        #expect(
            parsed == [
                DMDevice(name: "mpatha", devT: DevT(major: 253, minor: 0), eventNumber: 3, uuid: "mpath-3600"),
                DMDevice(name: "zero1234", devT: DevT(major: 253, minor: 1), eventNumber: 0),
                DMDevice(name: "x", devT: DevT(major: 253, minor: 2), eventNumber: 7, uuid: "LVM-abc")
            ])
    }

    @Test func truncatedBufferIsRejected() {
        let data = Self.nameList([(0xfd00, "mpatha", 3, "mpath-3600")])
        for cut in [4, 13, 20, 30, 36] {  // header, name, event_nr, flags, uuid
            #expect(data.withUnsafeBytes { DMDevice.parseNameList(UnsafeRawBufferPointer(rebasing: $0[..<cut])) } == nil)
        }
    }
}

@Suite struct DMEventTrackerTests {
    let a = DMDevice(name: "a", devT: DevT(major: 253, minor: 0), eventNumber: 1)
    let b = DMDevice(name: "b", devT: DevT(major: 253, minor: 1), eventNumber: 0)

    @Test func firstListReportsEveryDeviceAsAppeared() {
        var t = DMEventTracker()
        #expect(t.update([a, b]) == [.appeared(a), .appeared(b)])
        #expect(t.update([a, b]) == [])
    }

    @Test func eventNumberChangeAndRemoval() {
        var t = DMEventTracker()
        _ = t.update([a, b])
        var a2 = a
        a2.eventNumber = 2
        #expect(t.update([a2]) == [.event(a2, previous: 1), .removed(b)])
        #expect(t.known.keys.sorted() == ["a"])
    }

    @Test func sameNameNewDeviceIsAppeared() {
        var t = DMEventTracker()
        _ = t.update([a])
        let again = DMDevice(name: "a", devT: DevT(major: 253, minor: 5), eventNumber: 0)
        #expect(t.update([again]) == [.appeared(again)])
    }

    @Test func descriptions() {
        #expect(DMEventTracker.Change.event(a, previous: 0).description == "a (253:0) event 0 -> 1")
        #expect(DMEventTracker.Change.appeared(b).description == "b (253:1) appeared, event 0")
        #expect(DMEventTracker.Change.removed(b).description == "b (253:1) removed")
    }
}
