import MultipathCore
import MultipathTestKit
import Testing

/// Persistent reservations (0.9.4's mpath_pr_event_handle): the map's key is registered on a path that
/// joins the map or comes back, before the kernel may send I/O to it, through the fake kernel's PR emulation.
@Suite struct ReservationStoryTests {
    static let key = "reservation_key 0x123abc\n"

    /// sda holds the key (mpathpersist registered it through that path) before the daemon starts.
    func started(_ config: String = key, registeredOn paths: [String] = ["sda"], scsi: Bool = true) throws -> Simulation {
        let sim = try Simulation()
        for p in paths { sim.kernel.reservationKeys["3600a", default: [:]][p] = 0x123abc }
        if scsi { for p in ["sda", "sdb"] { Self.placeOnSCSIHost(sim, p) } }
        try sim.start(config, control: true)
        return sim
    }

    /// A SCSI disk in sysfs (0.9.4 sends PR commands to SCSI paths only).
    static func placeOnSCSIHost(_ sim: Simulation, _ path: String) {
        let host = path == "sda" ? 2 : 3
        sim.kernel.paths[path]!.devPath = "devices/pseudo_0/adapter0/host\(host)/target\(host):0:0/\(host):0:0:0/block/\(path)"
    }

    /// sdb leaves; returns it added back (its add uevent pushed).
    func removeAndAddSDB(_ sim: Simulation, outResults: [SCSIResult] = []) throws {
        try sim.push([sim.kernel.removePath("sdb")])
        try sim.advance(by: .seconds(1))
        #expect(sim.kernel.reservationKeys["3600a"]?["sdb"] == nil)
        sim.kernel.reservationCommands = []
        sim.kernel.addPath("sdb", wwid: "3600a")
        Self.placeOnSCSIHost(sim, "sdb")
        sim.kernel.paths["sdb"]!.reservationOutResults = outResults
        try sim.push([sim.kernel.uevent(.add, "sdb")])
    }

    /// Removes sdb and adds it back; returns whether its key was registered when the table first held it.
    func readdSDB(_ sim: Simulation, outResults: [SCSIResult] = []) throws -> Bool {
        try removeAndAddSDB(sim, outResults: outResults)
        _ = try #require(try sim.advance(until: { sim.active("mpatha", "sdb") != nil }, limit: .seconds(10)))
        return sim.kernel.reservationKeys["3600a"]?["sdb"] == 0x123abc
    }

    @Test func readKeysAtMapSetupFindsOurKeyAndSetsThePRStatus() throws {
        let sim = try started()
        #expect(sim.kernel.reservationCommands == ["sda: READ KEYS"])
        #expect(try sim.ask("getprstatus map mpatha") == "1")
    }

    @Test func withoutOurKeyOnTheLUNThePRStatusStaysUnset() throws {
        let sim = try started(registeredOn: [])
        #expect(sim.kernel.reservationCommands == ["sda: READ KEYS"])
        #expect(try sim.ask("getprstatus map mpatha") == "0")
    }

    @Test func aReaddedPathGetsTheKeyBeforeItJoinsTheMap() throws {
        let sim = try started()
        #expect(try readdSDB(sim))
        #expect(sim.kernel.reservationCommands == ["sdb: READ KEYS", "sdb: REGISTER 0x123abc"])
        #expect(sim.active("mpatha", "sdb") == true)
        #expect(sim.log.lines.messages.contains("sdb: reservation key registered"))
    }

    @Test func theKeysAPTPLFlagIsRegisteredWithIt() throws {
        let sim = try started("reservation_key file\n")
        sim.files.contents["/etc/multipath/prkeys"] = PRKeysFile.header + "0X0000000000123abc 3600a\n"
        #expect(try sim.ask("setprstatus map mpatha") == "ok\n")
        #expect(try readdSDB(sim))
        #expect(sim.kernel.reservationCommands == ["sdb: READ KEYS", "sdb: REGISTER 0x123abc aptpl"])
    }

    @Test func noKeyConfiguredSendsNoReservationCommands() throws {
        let sim = try started("")
        #expect(try !readdSDB(sim))
        #expect(sim.kernel.reservationCommands.isEmpty && sim.active("mpatha", "sdb") == true)
        #expect(try sim.ask("getprstatus map mpatha") == "0")
    }

    @Test func pathsOfNoSCSIBusGetNoReservationCommands() throws {
        let sim = try started(scsi: false)
        try sim.push([sim.kernel.removePath("sdb")])
        try sim.advance(by: .seconds(1))
        try sim.push([sim.kernel.addPath("sdb", wwid: "3600a")])
        _ = try #require(try sim.advance(until: { sim.active("mpatha", "sdb") != nil }, limit: .seconds(10)))
        #expect(sim.kernel.reservationCommands.isEmpty)
    }

    @Test func aKeyNobodyRegisteredIsNotRegisteredOnAReaddedPath() throws {
        let sim = try started(registeredOn: [])
        #expect(try !readdSDB(sim))
        #expect(sim.kernel.reservationCommands == ["sdb: READ KEYS"])
        #expect(sim.log.lines.messages.contains("sdb: No key found. Device may not be registered."))
        #expect(sim.active("mpatha", "sdb") == true)
    }

    @Test func aReinstatedPathIsRegisteredBeforeItIsReinstatedWhileThePRStatusIsSet() throws {
        let sim = try started()
        sim.kernel.paths["sdb"]!.behavior = .offline
        _ = try #require(try sim.advance(until: { sim.active("mpatha", "sdb") == false }, limit: .seconds(10)))
        sim.kernel.reservationCommands = []
        sim.kernel.paths["sdb"]!.behavior = .good
        _ = try #require(try sim.advance(until: { sim.active("mpatha", "sdb") == true }, limit: .seconds(10)))
        #expect(sim.kernel.reservationCommands == ["sdb: READ KEYS", "sdb: REGISTER 0x123abc"])
        #expect(sim.kernel.reservationKeys["3600a"]?["sdb"] == 0x123abc)
    }

    @Test func prStatusUnsetLeavesAReinstatedPathAlone() throws {
        let sim = try started()
        #expect(try sim.ask("unsetprstatus map mpatha") == "ok\n")
        sim.kernel.paths["sdb"]!.behavior = .offline
        _ = try #require(try sim.advance(until: { sim.active("mpatha", "sdb") == false }, limit: .seconds(10)))
        sim.kernel.reservationCommands = []
        sim.kernel.paths["sdb"]!.behavior = .good
        _ = try #require(try sim.advance(until: { sim.active("mpatha", "sdb") == true }, limit: .seconds(10)))
        #expect(sim.kernel.reservationCommands.isEmpty)
    }

    @Test func aUnitAttentionIsSentAgain() throws {
        let sim = try started()
        let unitAttention = SCSIResult(status: 0x02, sense: [0x70, 0, 0x06, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x29, 0x00])
        #expect(try readdSDB(sim, outResults: [unitAttention, unitAttention]))
        #expect(sim.kernel.reservationCommands == ["sdb: READ KEYS"] + Array(repeating: "sdb: REGISTER 0x123abc", count: 3))
        #expect(sim.kernel.reservationKeys["3600a"]?["sdb"] == 0x123abc)
    }

    /// 0.9.4 logs a failed REGISTER and goes on: the path joins the map, the prflag is set (the key is
    /// registered on the LUN); the next return of the path tries again.
    @Test func aFailedRegisterIsLoggedAndThePathJoinsAnyway() throws {
        let sim = try started()
        #expect(try sim.ask("unsetprstatus map mpatha") == "ok\n")
        #expect(try !readdSDB(sim, outResults: [SCSIResult(status: 0x18)]))
        #expect(sim.active("mpatha", "sdb") == true)
        #expect(sim.log.lines.messages.contains("sdb: Reservation registration failed: RESERVATION CONFLICT"))
        #expect(try sim.ask("getprstatus map mpatha") == "1")
    }
}
