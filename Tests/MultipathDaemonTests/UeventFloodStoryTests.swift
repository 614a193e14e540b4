import MultipathCore
import MultipathTestKit
import Testing

/// 10,000 uevents in one burst (a udev storm: `udevadm trigger` loops, a fabric's paths returning at
/// once) are absorbed: each map is reloaded once with all of its new paths.
@Suite struct UeventFloodStoryTests {
    static let maps = ["3600a", "3600b", "3600c", "3600d"]
    static let pathsPerMap = 8

    /// Four maps of one path each at start; the burst brings their 28 other paths (adds spread over the
    /// burst, the last ones at its end) among change events for the paths already there. The burst sits
    /// in the monitor's socket and the loop reads it 64 a turn, each turn 1 ms of the clock, so that checks
    /// of paths read early complete while the rest is still being read.
    /// Map m's path n: sdaa, sdab, ... sdba, ...
    static func disk(_ m: Int, _ n: Int) -> String {
        "sd" + String(UnicodeScalar(UInt8(97 + m))) + String(UnicodeScalar(UInt8(97 + n)))
    }

    @Test func tenThousandUeventsReloadEachMapOnce() throws {
        let sim = try Simulation(paths: Self.maps.enumerated().map { (Self.disk($0.offset, 0), $0.element) })
        try sim.start()
        try sim.advance(by: .seconds(1))
        try #require(sim.kernel.creates == Self.maps.count)
        let newPaths = (1..<Self.pathsPerMap).flatMap { n in Self.maps.enumerated().map { (Self.disk($0.offset, n), $0.element) } }
        var known = Self.maps.indices.map { Self.disk($0, 0) }
        var burst: [Uevent] = []
        let total = 10_000
        let spacing = total / newPaths.count
        for i in 0..<total {
            let added = known.count - Self.maps.count
            if (i + 1) % spacing == 0 && added < newPaths.count {
                let (name, wwid) = newPaths[added]
                burst.append(sim.kernel.addPath(name, wwid: wwid))
                known.append(name)
            } else {
                burst.append(sim.kernel.uevent(.change, known[i * 7 % known.count]))
            }
        }
        #expect(burst.count == total && known.count == Self.maps.count * Self.pathsPerMap)
        for event in burst { sim.udev.push(event) }
        // 64 a turn: the burst takes about 157 turns to read.
        for _ in 0..<(total / 64 + 8) {
            try sim.reactor.runOnce(maxWait: .zero)
            sim.clock.advance(by: .milliseconds(1))
        }
        try sim.advance(by: .seconds(10))
        try #require(sim.kernel.maps.count == Self.maps.count)
        for map in sim.kernel.maps.keys.sorted() {
            #expect(sim.kernel.udevFlagLog.filter { $0.hasPrefix("resume \(map) [reload") }.count == 1, "\(sim.kernel.udevFlagLog)")
            #expect(sim.kernel.maps[map]?.table.pathDevices.count == Self.pathsPerMap)
        }
        #expect(sim.kernel.reloads == Self.maps.count)
    }

    /// A storm that never lets the monitor drain (more events each turn than a turn reads) is still
    /// acted on, after 65,536 events: a path added at its start joins its map while the storm goes on.
    @Test func aStormThatNeverPausesIsActedOnAfter65536Events() throws {
        let sim = try Simulation()
        try sim.start()
        try sim.advance(by: .seconds(1))
        sim.udev.push(sim.kernel.addPath("sdc", wwid: "3600a"))
        var turns = 0
        while sim.kernel.maps["mpatha"]?.table.pathDevices.count != 3 && turns < 1_200 {
            for i in 0..<65 { sim.udev.push(sim.kernel.uevent(.change, i % 2 == 0 ? "sda" : "sdb")) }
            try sim.reactor.runOnce(maxWait: .zero)
            sim.clock.advance(by: .milliseconds(1))
            turns += 1
        }
        #expect(sim.kernel.maps["mpatha"]?.table.pathDevices.count == 3)
        #expect((65_536 / 64)..<1_200 ~= turns)
    }
}
