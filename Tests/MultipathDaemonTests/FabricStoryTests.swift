import MultipathCore
import MultipathTestKit
import Testing

/// A fabric goes away: many paths fail at once and come back at once (issue 16).
@Suite struct FabricStoryTests {
    /// A failing SCSI path is probed first through its sysfs `state` (0.9.4's path_offline): while the
    /// device is offline no command is sent to it, however often it is probed; once it runs again the
    /// checker decides and the path is reinstated.
    @Test func anOfflineDeviceIsProbedThroughItsStateOnly() throws {
        let sim = try Simulation()
        try sim.start("failed_path_reprobe_ms 100")
        _ = try #require(try sim.advance(until: { sim.kernel.creates == 1 }, limit: .seconds(1)))
        sim.kernel.paths["sdb"]!.behavior = .offline
        _ = try #require(try sim.advance(until: { sim.active("mpatha", "sdb") == false }, limit: .seconds(10)))
        let commands = sim.kernel.paths["sdb"]!.commands
        let reads = sim.kernel.paths["sdb"]!.attributeReads
        try sim.advance(by: .seconds(5))
        #expect(sim.kernel.paths["sdb"]!.commands == commands, "no command to an offline device")
        #expect(sim.kernel.paths["sdb"]!.attributeReads - reads >= 45, "probed every 100 ms through its state")
        sim.kernel.paths["sdb"]!.behavior = .good
        _ = try #require(try sim.advance(until: { sim.active("mpatha", "sdb") == true }, limit: .seconds(1)))
        #expect(sim.kernel.paths["sdb"]!.commands > commands, "the checker decided the reinstatement")
    }
}
