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

    /// Two FC paths, each behind its own remote port, as a new daemon finds them.
    static func fibreChannel() throws -> Simulation {
        let sim = try Simulation()
        for (path, host) in [("sda", 5), ("sdb", 6)] {
            sim.kernel.paths[path]!.devPath =
                "devices/pci0000:00/host\(host)/rport-\(host):0-2/target\(host):0:1/\(host):0:1:0/block/\(path)"
            sim.kernel.attributes["class/fc_remote_ports/rport-\(host):0-2/dev_loss_tmo"] = "30"
            sim.kernel.attributes["class/fc_remote_ports/rport-\(host):0-2/fast_io_fail_tmo"] = "off"
        }
        return sim
    }

    static func port(_ sim: Simulation, _ host: Int) -> [String?] {
        ["fast_io_fail_tmo", "dev_loss_tmo"].map { sim.kernel.attributes["class/fc_remote_ports/rport-\(host):0-2/\($0)"] }
    }

    /// 0.9.4's default fast_io_fail_tmo (5) on each remote port when the map is made; a reconfigure sets
    /// the new values on a map whose table stays, dev_loss_tmo raised to cover no_path_retry.
    @Test func fibreChannelPortsGetTheTimeoutsAtCreateAndReconfigure() throws {
        let sim = try Self.fibreChannel()
        try sim.start()
        #expect(sim.kernel.creates == 1)
        #expect(Self.port(sim, 5) == ["5", "30"] && Self.port(sim, 6) == ["5", "30"])
        try sim.reconfigure("fast_io_fail_tmo 10\ndev_loss_tmo 60\nno_path_retry 30")
        #expect(sim.kernel.reloads == 0)
        #expect(Self.port(sim, 5) == ["10", "150"] && Self.port(sim, 6) == ["10", "150"])
        #expect(sim.log.lines.messages.contains("mpatha: Raising dev_loss_tmo to 150 because of no_path_retry setting"))
    }

    /// A restarted daemon adopts the map as it is and still sets its ports, as 0.9.4 sets up every map
    /// it finds at start.
    @Test func aRestartSetsThePortsOfTheMapItAdopts() throws {
        let sim = try Self.fibreChannel()
        try sim.start()
        let again = try sim.restarted()
        try again.start("fast_io_fail_tmo 10")
        #expect(try again.advance(until: { Self.port(again, 5) == ["10", "30"] && Self.port(again, 6) == ["10", "30"] }) != nil)
        #expect(again.kernel.creates == 1 && again.kernel.reloads == 0)
        // Once set, checks leave them alone; a reload (sdb leaves) sets them again, as 0.9.4's setup_map.
        again.kernel.attributes["class/fc_remote_ports/rport-5:0-2/fast_io_fail_tmo"] = "off"
        try again.advance(by: .seconds(11))
        #expect(Self.port(again, 5) == ["off", "30"])
        try again.push([again.kernel.removePath("sdb")])
        #expect(try again.advance(until: { again.kernel.reloads == 1 }) != nil)
        #expect(Self.port(again, 5) == ["10", "30"])
    }
}
