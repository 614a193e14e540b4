import MultipathCore
import MultipathTestKit
import Testing

/// What the daemon tells udev: the flags on its creates, reloads and renames.
@Suite struct UdevStoryTests {
    @Test func aCreateWithUsablePathsCarriesNoFlagAndReloadsCarryTheReloadFlag() throws {
        let sim = try Simulation()
        try sim.start()
        #expect(sim.kernel.udevFlagLog == ["create mpatha []"])
        try sim.push([sim.kernel.removePath("sda")])
        #expect(sim.kernel.udevFlagLog.last == "resume mpatha [reload]")
        // The map is open when its last path leaves: it is loaded empty, not ready for udev.
        sim.kernel.setOpen("mpatha", true)
        try sim.push([sim.kernel.removePath("sdb")])
        #expect(sim.kernel.udevFlagLog.last == "resume mpatha [reload,no-paths]")
    }

    @Test func aMapWhosePathsAreAllDownIsCreatedWithNoPaths() throws {
        let sim = try Simulation()
        sim.kernel.paths["sda"]!.behavior = .offline
        sim.kernel.paths["sdb"]!.behavior = .offline
        try sim.start()
        #expect(sim.kernel.udevFlagLog == ["create mpatha [no-paths]"])
    }

    @Test func skipKpartxSetsNoKpartxOnEveryLoad() throws {
        let sim = try Simulation()
        try sim.start("skip_kpartx yes\n", control: true)
        #expect(sim.kernel.udevFlagLog == ["create mpatha [no-kpartx]"])
        try sim.push([sim.kernel.removePath("sda")])
        #expect(sim.kernel.udevFlagLog.last == "resume mpatha [reload,no-kpartx]")
    }

    /// An operator's reload asks udev to look at the map afresh (0.9.4's `force_udev_reload`).
    @Test func theOperatorsReloadIsNotMarkedAsAReload() throws {
        let sim = try Simulation()
        try sim.start(control: true)
        #expect(try sim.ask("reload map mpatha") == "ok\n")
        #expect(sim.kernel.udevFlagLog.last == "resume mpatha []")
        // 0.9.4's `resume map` always skips kpartx.
        #expect(try sim.ask("suspend map mpatha") == "ok\n" && sim.ask("resume map mpatha") == "ok\n")
        #expect(sim.kernel.udevFlagLog.last == "resume mpatha [no-kpartx]")
    }
}
