import MultipathCore
import MultipathTestKit
import Testing

/// prio ana through the real daemon over the fake kernel's NVMe controllers (ANA log pages), as
/// 0.9.4's: detect_prio chooses it for NVMe, the generic NVMe entry groups by priority.
@Suite struct ANAStoryTests {
    static let paths = [("nvme0n1", "uuid.61"), ("nvme1n1", "uuid.61")]

    private func groups(_ sim: Simulation) -> String? { sim.kernel.maps["mpatha"]?.table.description }

    /// nvme0n1 non-optimized (10), nvme1n1 optimized (50): two groups, the optimized path's first. The
    /// states swap: the next priority refresh regroups, nvme0n1's group first.
    @Test func theOptimizedPathsGroupComesFirstAndFollowsAChange() throws {
        let sim = try Simulation(paths: Self.paths)
        sim.kernel.paths["nvme0n1"]!.anaState = .nonOptimized
        sim.kernel.paths["nvme1n1"]!.anaState = .optimized
        try sim.start("no_path_retry queue")
        _ = try #require(try sim.advance(until: { sim.kernel.creates == 1 }, limit: .seconds(1)))
        #expect(
            groups(sim) == "3 queue_if_no_path queue_mode bio 0 2 1 service-time 0 1 1 8:16 1 service-time 0 1 1 8:0 1")
        let path = try #require(sim.daemon.engine.paths[sim.devT("nvme0n1")])
        #expect(path.settings.prio.value == .ana && path.settings.prio.origin == .internalDefault)
        #expect(path.health.priority == 10 && sim.daemon.engine.paths[sim.devT("nvme1n1")]?.health.priority == 50)
        // Identify Controller, then the log (nvmet's group ids may change: no Identify Namespace).
        #expect(sim.kernel.paths["nvme0n1"]!.nvmeAdminCommands.prefix(2) == ["identify controller", "get log page ANA"])

        sim.kernel.paths["nvme0n1"]!.anaState = .optimized
        sim.kernel.paths["nvme1n1"]!.anaState = .inaccessible
        let swapped = "3 queue_if_no_path queue_mode bio 0 2 1 service-time 0 1 1 8:0 1 service-time 0 1 1 8:16 1"
        // Within the longest polling interval (20 s), as 0.9.4 refreshes a priority at each check.
        _ = try #require(try sim.advance(until: { groups(sim) == swapped }, limit: .seconds(25)))
        #expect(sim.daemon.engine.paths[sim.devT("nvme1n1")]?.health.priority == 1)
    }

    /// A controller without ANA: detect_prio's choice falls back to the configured prio, as 0.9.4
    /// keeps it when Identify Controller says so; one group.
    @Test func aControllerWithoutANAGetsTheConfiguredPrio() throws {
        let sim = try Simulation(paths: Self.paths)
        try sim.start("no_path_retry queue")
        _ = try #require(try sim.advance(until: { sim.kernel.creates == 1 }, limit: .seconds(1)))
        #expect(groups(sim) == "3 queue_if_no_path queue_mode bio 0 1 1 service-time 0 2 1 8:0 1 8:16 1")
        #expect(sim.daemon.engine.paths.values.allSatisfy { $0.health.priority == 1 })
        #expect(sim.kernel.paths["nvme0n1"]!.nvmeAdminCommands.allSatisfy { $0 == "identify controller" })
    }

    /// `prio ana` by hand with detect_prio off: the same priorities; a controller that is not live
    /// (its char device refuses the open) leaves the priority undefined, said once, while the path's
    /// own checker fails it; live again, the priority comes back.
    @Test func byHandAndAControllerThatIsNotLive() throws {
        let sim = try Simulation(paths: Self.paths)
        sim.kernel.paths["nvme0n1"]!.anaState = .optimized
        sim.kernel.paths["nvme1n1"]!.anaState = .nonOptimized
        try sim.start("detect_prio no\nprio ana\nno_path_retry queue")
        _ = try #require(try sim.advance(until: { sim.kernel.creates == 1 }, limit: .seconds(1)))
        #expect(
            groups(sim) == "3 queue_if_no_path queue_mode bio 0 2 1 service-time 0 1 1 8:0 1 service-time 0 1 1 8:16 1")
        #expect(sim.daemon.engine.paths[sim.devT("nvme0n1")]?.settings.prio.origin == .defaultsSection)
        sim.kernel.paths["nvme0n1"]!.behavior = .offline
        _ = try #require(try sim.advance(until: { sim.active("mpatha", "nvme0n1") == false }, limit: .seconds(10)))
        sim.kernel.paths["nvme0n1"]!.behavior = .good
        _ = try #require(try sim.advance(until: { sim.active("mpatha", "nvme0n1") == true }, limit: .seconds(25)))
        _ = try sim.advance(until: { sim.daemon.engine.paths[sim.devT("nvme0n1")]?.health.priority == 50 }, limit: .seconds(25))
        #expect(sim.daemon.engine.paths[sim.devT("nvme0n1")]?.health.priority == 50)
    }

    /// prio ana on a SCSI path: no NVMe controller to ask, an undefined priority and one line saying why
    /// (0.9.4: "couldn't get ctrl info").
    @Test func onASCSIPathTheAnswerIsUndefined() throws {
        let sim = try Simulation()
        try sim.start("prio ana\n")
        try sim.advance(by: .seconds(11))
        #expect(sim.kernel.creates == 1)
        #expect(sim.daemon.engine.paths[sim.devT("sda")]?.health.priority == -1)
        #expect(sim.log.lines.messages.filter { $0.hasSuffix("sda: ANA error: couldn't get NSID") }.count == 1)
    }
}
