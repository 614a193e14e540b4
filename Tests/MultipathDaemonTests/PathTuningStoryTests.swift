import MultipathCore
import MultipathTestKit
import Testing

/// `max_sectors_kb` on the paths before a table load, as 0.9.4's domap sets it.
@Suite struct PathTuningStoryTests {
    static func maxSectors(_ sim: Simulation, _ path: String) -> String? { sim.kernel.attributes["block/\(path)/queue/max_sectors_kb"] }

    @Test func maxSectorsKBIsSetOnThePathsBeforeCreateAndReload() throws {
        let sim = try Simulation()
        for path in ["sda", "sdb"] { sim.kernel.attributes["block/\(path)/queue/max_sectors_kb"] = "512" }
        try sim.start("max_sectors_kb 256")
        #expect(sim.kernel.creates == 1)
        #expect(Self.maxSectors(sim, "sda") == "256" && Self.maxSectors(sim, "sdb") == "256")
        // The live map passes at most 128 KiB: a path joining it gets that, whatever the configuration says.
        let map = try #require(sim.kernel.maps["mpatha"]).devT
        sim.kernel.attributes["dev/block/\(map.major):\(map.minor)/queue/max_sectors_kb"] = "128"
        sim.kernel.attributes["block/sdc/queue/max_sectors_kb"] = "512"
        try sim.push([sim.kernel.addPath("sdc", wwid: "3600a")])
        #expect(try sim.advance(until: { sim.kernel.reloads == 1 }) != nil)
        #expect(["sda", "sdb", "sdc"].map { Self.maxSectors(sim, $0) } == ["128", "128", "128"])
    }

    @Test func withoutMaxSectorsKBThePathsKeepTheirOwn() throws {
        let sim = try Simulation()
        for path in ["sda", "sdb"] { sim.kernel.attributes["block/\(path)/queue/max_sectors_kb"] = "512" }
        try sim.start()
        #expect(sim.kernel.creates == 1)
        #expect(Self.maxSectors(sim, "sda") == "512" && Self.maxSectors(sim, "sdb") == "512")
    }
}
