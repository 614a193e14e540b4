import MultipathCore
import MultipathTestKit
import Testing

/// Read-only paths (`change` uevents with DISK_RO), as 0.9.4: a path turning read-only reloads its map
/// read-only; the map is writable again once every path is.
@Suite struct ReadOnlyStoryTests {
    @Test func aMapFollowsItsPathsWriteProtection() throws {
        let sim = try Simulation()
        try sim.start()
        #expect(sim.kernel.maps["mpatha"]?.readOnly == false)
        try sim.push([sim.kernel.setReadOnly("sdb", true)])
        #expect(sim.kernel.reloads == 1 && sim.kernel.maps["mpatha"]?.readOnly == true)
        #expect(sim.log.lines.messages.contains("sdb: update path write_protect to '1' (uevent)"))
        // Already read-only: the second path changes nothing; one writable path of two neither.
        try sim.push([sim.kernel.setReadOnly("sda", true)])
        try sim.push([sim.kernel.setReadOnly("sdb", false)])
        #expect(sim.kernel.reloads == 1 && sim.kernel.maps["mpatha"]?.readOnly == true)
        try sim.push([sim.kernel.setReadOnly("sda", false)])
        #expect(sim.kernel.reloads == 2 && sim.kernel.maps["mpatha"]?.readOnly == false)
        // The same table each time: only the mode changed, and every path stayed active.
        #expect(sim.kernel.maps["mpatha"]?.table.description == "0 0 2 1 service-time 0 1 1 8:0 1 service-time 0 1 1 8:16 1")
        #expect(sim.active("mpatha", "sda") == true && sim.active("mpatha", "sdb") == true)
    }

    @Test func aReadOnlyPathAtStartMakesAReadOnlyMapThatARestartAdoptsAsItIs() throws {
        let sim = try Simulation()
        sim.kernel.paths["sda"]!.readOnly = true
        try sim.start()
        #expect(sim.kernel.creates == 1 && sim.kernel.maps["mpatha"]?.readOnly == true)
        let snapshot = sim.daemon.engine.showSnapshot(dmMinors: [:], now: sim.clock.now)
        #expect(snapshot.maps.first?.readOnly == true)
        let again = try sim.restarted()
        try again.start()
        try again.advance(by: .seconds(6))
        #expect(again.kernel.creates == 1 && again.kernel.reloads == 0)
    }

    @Test func pathIdentityTakesDiskROFromTheUeventOverSysfs() {
        let sysfs: SysfsReader = { $0 == "block/sda/ro" ? Array("1\n".utf8) : nil }
        func readOnly(_ extra: [String: String]) -> Bool? {
            let properties = ["DEVNAME": "/dev/sda", "MAJOR": "8", "MINOR": "0", "SUBSYSTEM": "block"].merging(extra) { $1 }
            return try? PathIdentity.fromUevent(properties, sysfs: sysfs).get().readOnly
        }
        #expect(readOnly([:]) == true)
        #expect(readOnly(["DISK_RO": "0"]) == false)
        #expect(readOnly(["DISK_RO": "1"]) == true)
    }
}
