import Testing

@testable import MultipathCore

@Suite struct GroupingTests {
    static func m(_ minor: UInt32, prio: Int?, usable: Bool = true, serial: String = "", node: String = "") -> GroupMember {
        GroupMember(devT: DevT(major: 8, minor: minor), serial: serial, nodeName: node, priority: prio, isUsable: usable)
    }

    static func minors(_ groups: [[GroupMember]]) -> [[UInt32]] { groups.map { $0.map(\.devT.minor) } }

    /// Per-path priorities in, groups out (best first), as multipath-tools' tests/pgpolicy.c.
    @Test(arguments: [
        (PathGroupingPolicy.failover, [[32], [16], [48]]),
        (.multibus, [[16, 32, 48]]),
        (.groupByPrio, [[32], [16, 48]]),
        (.groupBySerial, [[16, 32], [48]]),
        (.groupByNodeName, [[32], [16, 48]])
    ])
    func policies(policy: PathGroupingPolicy, expected: [[UInt32]]) {
        let members = [
            Self.m(16, prio: 10, serial: "a", node: "n1"), Self.m(32, prio: 50, serial: "a", node: "n2"),
            Self.m(48, prio: 10, serial: "b", node: "n1")
        ]
        #expect(Self.minors(Grouping.group(members, policy: policy)) == expected)
    }

    /// marginal_pathgroups: marginal paths are grouped by the same policy, after the others, and their
    /// groups are chosen only when no other group has a usable path.
    @Test func marginalPathsAreGroupedApartAndLast() {
        var members = [Self.m(16, prio: 10), Self.m(32, prio: 50), Self.m(48, prio: 10)]
        members[1].isMarginal = true
        let groups = Grouping.group(members, policy: .groupByPrio)
        #expect(Self.minors(groups) == [[16, 48], [32]])
        #expect(Grouping.bestGroup(groups) == 1)
        let downNormal = [
            [Self.m(16, prio: 10, usable: false)],
            [GroupMember(devT: DevT(major: 8, minor: 32), priority: 50, isUsable: true, isMarginal: true)]
        ]
        #expect(Grouping.bestGroup(downNormal) == 2)
    }

    @Test func groupPriorityIsTheMeanOfUsablePaths() {
        #expect(Grouping.priority(of: [Self.m(16, prio: 50), Self.m(32, prio: 10), Self.m(48, prio: 90, usable: false)]) == (30, 2))
        #expect(Grouping.priority(of: [Self.m(16, prio: 50, usable: false)]) == (0, 0))
    }

    @Test(arguments: [
        ([[50], [10]], [true, true], 1),
        ([[50], [10]], [false, true], 2),
        ([[10], [10, 10]], [true, true], 2),  // equal priority: more usable paths wins
        ([[10], [50]], [false, false], 1)  // nothing usable: the first
    ])
    func bestGroup(prios: [[Int]], usable: [Bool], expected: Int) {
        var minor: UInt32 = 0
        let groups = prios.enumerated().map { (i, g) in
            g.map { p in
                minor += 16
                return Self.m(minor, prio: p, usable: usable[i])
            }
        }
        #expect(Grouping.bestGroup(groups) == expected)
    }

    @Test func tableAsZeroNineFourAssemblesIt() {
        let groups = Grouping.group([Self.m(16, prio: 50), Self.m(32, prio: 10), Self.m(48, prio: 50)], policy: .groupByPrio)
        let t = Grouping.table(
            groups: groups, features: "0", hardwareHandler: "1 alua", selector: "service-time 0",
            rrMinIORequests: 1, rrWeight: .uniform, noPathRetry: .retries(3))
        #expect(t.description == "1 queue_if_no_path 1 alua 2 1 service-time 0 2 1 8:16 1 8:48 1 service-time 0 1 1 8:32 1")
        let w = Grouping.table(
            groups: groups, features: "1 queue_if_no_path", hardwareHandler: nil, selector: "round-robin 0",
            rrMinIORequests: 2, rrWeight: .priorities, noPathRetry: .fail)
        #expect(w.description == "0 0 2 1 round-robin 0 2 1 8:16 100 8:48 100 round-robin 0 1 1 8:32 20")
    }

    /// A bio-based map (NVMe/TCP paths): `queue_mode bio` replaces any configured queue mode; the
    /// kernel prints it back with `retain_attached_hw_handler`, which is no reason to reload (the table
    /// is 6.1's, as the lab showed it under 0.9.4).
    @Test func aBioBasedTableAndTheKernelsRenderingOfIt() throws {
        let groups = Grouping.group([Self.m(0, prio: 1), Self.m(1, prio: 1)], policy: .groupByPrio)
        let t = Grouping.table(
            groups: groups, features: "2 queue_mode mq", hardwareHandler: nil, selector: "service-time 0",
            rrMinIORequests: 1, rrWeight: .uniform, noPathRetry: .queue, bioBased: true)
        #expect(t.description == "3 queue_if_no_path queue_mode bio 0 1 1 service-time 0 2 1 8:0 1 8:1 1")
        let kernels = try MultipathTable(
            parsing: "4 queue_if_no_path retain_attached_hw_handler queue_mode bio 0 1 1 service-time 0 2 2 8:0 1 1 8:1 1 1")
        #expect(Grouping.sameLayout(kernels, t))
        let requestBased = try MultipathTable(parsing: "1 queue_if_no_path 0 1 1 service-time 0 2 2 8:0 1 1 8:1 1 1")
        #expect(!Grouping.sameLayout(requestBased, t), "a queue mode change is a reload")
    }

    @Test func sameLayoutIgnoresWhatTheKernelPrintsItsOwnWay() throws {
        let ours = try MultipathTable(parsing: "1 queue_if_no_path 0 2 1 service-time 0 1 1 8:16 1 service-time 0 1 1 8:32 1")
        let kernels = try MultipathTable(parsing: "0 1 alua 2 2 service-time 0 1 2 8:16 1 1 service-time 0 1 2 8:32 1 1")
        #expect(Grouping.sameLayout(kernels, ours))
        let swapped = try MultipathTable(parsing: "0 0 2 1 service-time 0 1 2 8:32 1 1 service-time 0 1 2 8:16 1 1")
        #expect(!Grouping.sameLayout(swapped, ours))
        let otherHandler = try MultipathTable(parsing: "0 1 emc 1 1 service-time 0 1 2 8:16 1 1")
        let wantsALUA = try MultipathTable(parsing: "0 1 alua 1 1 service-time 0 1 1 8:16 1")
        #expect(!Grouping.sameLayout(otherHandler, wantsALUA))
    }
}

@Suite struct UeventMergeTests {
    static func e(_ action: Uevent.Action, _ name: String, _ serial: String = "w") -> Uevent {
        Uevent(action: action, sysname: name, properties: [("ID_SERIAL", serial)])
    }

    @Test func aLaterRemoveCancelsEarlierEvents() {
        let merged = UeventMerge.merge([Self.e(.add, "sdb"), Self.e(.change, "sdb"), Self.e(.add, "sdc"), Self.e(.remove, "sdb")])
        #expect(merged.map { "\($0.action) \($0.sysname)" } == ["add sdc", "remove sdb"])
    }

    @Test func addThenChangeIsOneAddWithTheNewProperties() {
        let merged = UeventMerge.merge([Self.e(.add, "sdb", "old"), Self.e(.change, "sdb", "new")])
        #expect(merged == [Self.e(.add, "sdb", "new")])
    }

    /// missing_uev_wait_timeout waits for a new map's change, which follows its add.
    @Test func aMapsAddThenChangeIsItsChange() {
        #expect(UeventMerge.merge([Self.e(.add, "dm-0"), Self.e(.change, "dm-0")]) == [Self.e(.change, "dm-0")])
    }

    /// A device merged from an add and a later change keeps the add's place (0.9.4's path order).
    @Test func theMergedAddKeepsTheFirstPlace() {
        let merged = UeventMerge.merge([Self.e(.add, "sdb", "old"), Self.e(.add, "sdc"), Self.e(.change, "sdb", "new")])
        #expect(merged == [Self.e(.add, "sdb", "new"), Self.e(.add, "sdc")])
    }

    @Test func removeThenAddKeepsBoth() {
        let merged = UeventMerge.merge([Self.e(.remove, "sdb"), Self.e(.add, "sdb")])
        #expect(merged.map(\.action) == [.remove, .add])
    }

    /// A device that went and came back several times is removed once, then added.
    @Test func repeatedRemovesAndAddsKeepTheLastPairOnly() {
        let merged = UeventMerge.merge([Self.e(.remove, "sdb"), Self.e(.add, "sdb"), Self.e(.remove, "sdb"), Self.e(.add, "sdb", "new")])
        #expect(merged == [Self.e(.remove, "sdb"), Self.e(.add, "sdb", "new")])
    }

    /// A storm holds what its distinct devices say, not every event: 10,000 on 32 disks, removes and
    /// re-adds among them, keep at most two events a disk.
    @Test func aBurstHoldsAtMostTwoEventsPerDevice() {
        var burst = UeventMerge()
        let actions: [Uevent.Action] = [.change, .add, .change, .remove, .change, .add]
        for i in 0..<10_000 {
            burst.add(Self.e(actions[i / 32 % actions.count], "sd\(i % 32)"))
            #expect(burst.deviceCount <= 32)
        }
        #expect(burst.received == 10_000 && burst.deviceCount == 32)
        #expect(burst.merged().count <= 2 * 32)
    }
}
