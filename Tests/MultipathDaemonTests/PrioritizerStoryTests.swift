import MultipathCore
import MultipathTestKit
import Testing

/// Prioritizers through the real daemon over the fake kernel.
@Suite struct PrioritizerStoryTests {
    static let latency = "path_grouping_policy group_by_prio\nprio path_latency\nprio_args \"io_num=20 base_num=10\"\n"

    /// sda answers in 5 ms (priority 4), sdb in 50 us (6): sdb's group comes first. Each measurement
    /// is 20 reads, one at a time.
    @Test func pathLatencyGroupsTheFasterPathFirst() throws {
        let sim = try Simulation()
        sim.kernel.paths["sda"]!.latency = .milliseconds(5)
        sim.kernel.paths["sdb"]!.latency = .microseconds(50)
        try sim.start(Self.latency)
        _ = try sim.advance(until: { sim.kernel.creates == 1 }, limit: .seconds(1))
        #expect(sim.kernel.maps["mpatha"]?.table.description == "0 0 2 1 service-time 0 1 1 8:16 1 service-time 0 1 1 8:0 1")
        #expect(sim.daemon.engine.paths[sim.devT("sda")]?.health.priority == 4)
        #expect(sim.daemon.engine.paths[sim.devT("sdb")]?.health.priority == 6)
        for name in ["sda", "sdb"] {
            #expect(sim.kernel.paths[name]!.reads == 20 && sim.kernel.paths[name]!.mostReadsOut == 1)
        }
        // sdb slows down: the next check's measurement regroups the map.
        sim.kernel.paths["sdb"]!.latency = .milliseconds(50)
        _ = try sim.advance(until: { sim.kernel.reloads == 1 }, limit: .seconds(10))
        #expect(sim.kernel.maps["mpatha"]?.table.description == "0 0 2 1 service-time 0 1 1 8:0 1 service-time 0 1 1 8:16 1")
        #expect(sim.daemon.engine.paths[sim.devT("sdb")]?.health.priority == 3)
    }

    @Test func pathLatencyWithBadArgumentsUsesTheDefaultsAndSaysSo() throws {
        let sim = try Simulation()
        sim.kernel.latency = .milliseconds(5)
        try sim.start("prio path_latency\nprio_args \"io_num=5 base_num=10\"\n")
        _ = try sim.advance(until: { sim.kernel.creates == 1 }, limit: .seconds(5))
        #expect(sim.kernel.paths["sda"]!.reads == 100)
        #expect(sim.daemon.engine.paths[sim.devT("sda")]?.health.priority == 17)
        let complaint =
            "path_latency: prio_args \"io_num=5 base_num=10\" is not \"io_num=20...200 base_num=1.1...10\": using io_num=100 base_num=1.778"
        #expect(sim.log.lines.messages.filter { $0.hasSuffix(complaint) }.count == 1)
    }

    /// A failed read leaves the priority undefined (0.9.4's "path down").
    @Test func pathLatencyOnAFailingPathIsUndefined() throws {
        let sim = try Simulation()
        try sim.start(Self.latency)
        _ = try sim.advance(until: { sim.kernel.creates == 1 }, limit: .seconds(1))
        #expect(sim.daemon.engine.paths[sim.devT("sda")]?.health.priority == 5)
        sim.kernel.paths["sda"]!.behavior = .standby
        try sim.advance(by: .seconds(6))
        #expect(sim.daemon.engine.paths[sim.devT("sda")]?.health.priority == -1)
        #expect(sim.daemon.engine.paths[sim.devT("sdb")]?.health.priority == 5)
    }

    /// Prioritizers the hardware table names but we do not run: a clear warning, once, and an undefined
    /// priority; the map is still built.
    @Test(arguments: ["ontap", "hds", "emc", "rdac", "hp_sw", "iet", "datacore"])
    func unsupportedPrioritizersAreRefusedClearly(prio: String) throws {
        let sim = try Simulation()
        try sim.start("prio \(prio)\n")
        try sim.advance(by: .seconds(11))
        #expect(sim.kernel.creates == 1)
        #expect(sim.daemon.engine.paths[sim.devT("sda")]?.health.priority == -1)
        let warning =
            "prioritizer \(prio) is not supported (const, random, sysfs, alua, weightedpath, path_latency, ana are): paths using it get an undefined priority"
        #expect(sim.log.lines.messages.filter { $0 == warning }.count == 1)
    }
}
