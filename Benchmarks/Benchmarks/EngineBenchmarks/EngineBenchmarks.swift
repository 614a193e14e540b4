import Benchmark
import BenchmarkSupport
import MultipathCore

/// A 10,000-event burst as a rescan storm makes it: 5,000 disks added, 3,000 of them changed once,
/// 1,000 removed, 500 of those added again, 500 other disks removed (never added in the burst).
/// Merged: 6,000 events (each re-added disk keeps its remove and its add).
let burst: [Uevent] = {
    func event(_ action: Uevent.Action, _ i: Int) -> Uevent {
        Uevent(
            action: action, sysname: Fixtures.diskName(i), devnode: "/dev/\(Fixtures.diskName(i))",
            devnum: DevT(major: 8, minor: UInt32(i)),
            properties: [("DEVTYPE", "disk"), ("ID_SERIAL", Fixtures.wwid(i / 4))])
    }
    var events = (0..<5000).map { event(.add, $0) }
    events += (0..<3000).map { event(.change, $0) }
    events += (0..<1000).map { event(.remove, $0 * 5) }
    events += (0..<500).map { event(.add, $0 * 10) }
    events += (0..<500).map { event(.remove, 10_000 + $0) }
    return events
}()

/// The members of one map of `count` paths, half at priority 50 and half at 10, one of them failed.
func members(_ count: Int, map: Int = 0) -> [GroupMember] {
    (0..<count).map { i in
        let p = Fixtures.path(map * count + i, map: map)
        return GroupMember(devT: p.devT, serial: p.serial, priority: Fixtures.priority(i), isUsable: i != 1)
    }
}

/// What `commit` computes for one map: the groups, their priorities and the best one, and the table.
func tableFor(_ m: [GroupMember]) -> MultipathTable {
    let groups = Grouping.group(m, policy: .groupByPrio)
    return Grouping.table(
        groups: groups, features: "0", hardwareHandler: "1 alua", selector: "service-time 0",
        rrMinIORequests: 1, rrWeight: .uniform, noPathRetry: .fail)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = benchmarkConfiguration()

    Benchmark("UeventMerge: filter and merge a 10,000-event burst") { benchmark in
        blackHole(burst)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let merged = UeventMerge.merge(burst)
            precondition(merged.count == 6_000)
            blackHole(merged)
        }
        benchmark.stopMeasurement()
    }

    Benchmark(
        "Grouping: group_by_prio, priorities, best group and table of a 64-path map",
        configuration: .init(scalingFactor: .kilo)
    ) { benchmark in
        let m = members(64)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(tableFor(m)) }
        benchmark.stopMeasurement()
        precondition(tableFor(m).groups.count == 2 && tableFor(m).initialGroup == 1)
    }

    Benchmark("Grouping: group_by_prio, priorities, best group and table of 10,000 maps of 4 paths") { benchmark in
        let maps = (0..<10_000).map { members(4, map: $0) }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for m in maps { blackHole(tableFor(m)) }
        }
        benchmark.stopMeasurement()
    }

    // The engine at start: every add, first check and priority of a burst, maps created by commit.
    // 250, 1,000 and 4,096 maps show how it scales; user_friendly_names adds a binding per map.
    for (maps, pathsPerMap, friendly) in [(1, 64, false), (250, 4, false), (1_000, 4, false), (4_096, 4, false), (4_096, 4, true)] {
        let names = friendly ? " with user_friendly_names" : ""
        let config =
            friendly
            ? Fixtures.config("find_multipaths no\npath_grouping_policy group_by_prio\nuser_friendly_names yes") : Fixtures.config()
        Benchmark("Engine: build \(maps) map(s) of \(pathsPerMap) paths\(names) (adds, checks, priorities, commit)") { benchmark in
            var engines = Array(repeating: Multipaths(config: config), count: benchmark.scaledIterations.count)
            benchmark.startMeasurement()
            for i in benchmark.scaledIterations { blackHole(Fixtures.build(maps: maps, pathsPerMap: pathsPerMap, into: &engines[i])) }
            benchmark.stopMeasurement()
            precondition(engines.allSatisfy { $0.maps.count == maps })
        }
    }

    // The critical path in the core: a checker verdict in, the DM message out, in an engine with
    // 10,000 paths. One iteration is a failure and a recovery of one path of a 4-path map.
    Benchmark(
        "Engine: checkerFinished down -> fail_path, up -> reinstate_path (10,000 paths)",
        configuration: .init(scalingFactor: .kilo)
    ) { benchmark in
        var engine = Fixtures.engine(maps: 2_500, pathsPerMap: 4)
        let path = DevT(major: 8, minor: 4_001)
        let wwid = Fixtures.wwid(1_000)
        var now = Fixtures.t0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            now = now + .seconds(5)
            let failed = engine.checkerFinished(path, Fixtures.down, now: now)
            precondition(failed.first { if case .fail = $0 { true } else { false } } != nil)
            now = now + .milliseconds(100)
            let back = engine.checkerFinished(path, Fixtures.up, now: now)
            precondition(back.first { if case .reinstate = $0 { true } else { false } } != nil)
            blackHole((failed, back))
        }
        benchmark.stopMeasurement()
        precondition(engine.maps[WWID(wwid)]!.members.contains(path))
    }
}
