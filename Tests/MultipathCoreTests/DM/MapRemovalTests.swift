import MultipathCore
import Testing

/// Which devices are a map's kpartx partitions, and when the map may go, as 0.9.4's flush judges.
@Suite struct MapRemovalTests {
    static let map = DMDeviceTable(
        name: "mpatha", uuid: "mpath-3600a", devT: DevT(major: 253, minor: 3), openCount: 2,
        targets: [.init(type: "multipath", params: "0 0 1 1 round-robin 0 1 1 8:0 1")])

    static func linear(_ name: String, uuid: String, over: String = "253:3", open: Int = 0) -> DMDeviceTable {
        DMDeviceTable(
            name: name, uuid: uuid, devT: DevT(major: 253, minor: 9), openCount: open,
            targets: [.init(type: "linear", params: "\(over) 2048")])
    }

    @Test func partitionsAreLinearMapsOverTheMapWithItsPartUUID() {
        let devices = [
            Self.map, Self.linear("mpatha-part1", uuid: "part1-mpath-3600a"), Self.linear("mpatha2", uuid: "part2-mpath-3600a"),
            Self.linear("other", uuid: "part1-mpath-3600b"), Self.linear("lv", uuid: "LVM-abc"),
            Self.linear("near", uuid: "part3-mpath-3600a", over: "253:31"),
            Self.linear("noprefix", uuid: "mpath-3600a"),
            DMDeviceTable(
                name: "striped", uuid: "part4-mpath-3600a", devT: DevT(major: 253, minor: 8), openCount: 0,
                targets: [.init(type: "linear", params: "253:3 0"), .init(type: "linear", params: "253:3 4096")])
        ]
        #expect(MapRemoval.partitions(of: Self.map, among: devices).map(\.name) == ["mpatha-part1", "mpatha2"])
    }

    @Test func theMapMayGoWhenOnlyItsPartitionsHoldIt() {
        let parts = [Self.linear("mpatha-part1", uuid: "part1-mpath-3600a"), Self.linear("mpatha-part2", uuid: "part2-mpath-3600a")]
        #expect(MapRemoval.holder(of: Self.map, partitions: parts) == nil)
        #expect(MapRemoval.holder(of: Self.map, partitions: [parts[0]]) == "mpatha: map in use")
        var mounted = parts
        mounted[1].openCount = 1
        #expect(MapRemoval.holder(of: Self.map, partitions: mounted) == "mpatha: partition mpatha-part2 in use")
        var closed = Self.map
        closed.openCount = 0
        #expect(MapRemoval.holder(of: closed, partitions: []) == nil)
    }
}
