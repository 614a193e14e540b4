import MultipathCore
import MultipathTestKit
import Testing

/// Keywords whose effect only shows through the real daemon over the fake kernel.
@Suite struct KeywordStoryTests {
    /// `path_checker none` sends nothing to the device and reports its sysfs state, as 0.9.4's: an
    /// offline device is failed, and reinstated once it runs again.
    @Test func noneCheckerFollowsTheDeviceState() throws {
        let sim = try Simulation()
        try sim.start("path_checker none")
        _ = try #require(try sim.advance(until: { sim.kernel.creates == 1 }, limit: .seconds(1)))
        let commands = sim.kernel.paths["sdb"]!.commands
        sim.kernel.paths["sdb"]!.behavior = .offline
        _ = try #require(try sim.advance(until: { sim.active("mpatha", "sdb") == false }, limit: .seconds(10)))
        #expect(sim.daemon.engine.paths[sim.devT("sdb")]?.health.state == .down)
        sim.kernel.paths["sdb"]!.behavior = .good
        _ = try #require(try sim.advance(until: { sim.active("mpatha", "sdb") == true }, limit: .seconds(10)))
        #expect(sim.kernel.paths["sdb"]!.commands == commands, "the none checker sends no command")
    }
}
