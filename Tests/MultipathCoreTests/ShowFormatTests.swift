import Foundation
import Testing

@testable import MultipathCore

/// Golden tests: the fixtures are what Debian's multipathd 0.9.4 and `multipath -ll` printed in the lab
/// (lab/golden/capture-debian.sh) over four scsi_debug paths to one LUN with ALUA groups; the snapshots
/// below describe the same state.
@Suite struct ShowFormatTests {
    /// Fixtures/debian-0.9.4 holds 0.9.4's output; Fixtures/ours the golden text of our own commands.
    static func fixture(_ name: String, ext: String = "txt", folder: String = "debian-0.9.4") throws -> String {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/" + folder)
        return try String(contentsOf: dir.appendingPathComponent(name + "." + ext), encoding: .utf8)
    }

    static let wwid = "1Linux_scsi_debug_2000"

    /// sda..sdd on hosts 0..3; ALUA makes priorities 50, 10, 1, 50.
    static func path(_ host: Int, tick: Int = 4, failed: Bool = false, orphan: Bool = false) -> PathSnapshot {
        let name = "sd" + String(UnicodeScalar(UInt8(97 + host)))
        let identity = PathIdentity(
            name: name, devT: DevT(major: 8, minor: UInt32(16 * host)),
            hctl: HCTL(host: host, channel: 0, target: 0, lun: 0), vendor: "Linux",
            product: "scsi_debug", revision: "0191", wwid: wwid, serial: "2000",
            sizeSectors: 32768, transport: .scsi(.unspecified))
        if orphan {
            return PathSnapshot(identity: identity, priority: [50, 10, 1, 50][host], failures: host == 2 ? 1 : 0)
        }
        return PathSnapshot(
            identity: identity, mapName: "mpatha", dmActive: !failed, deviceState: "running",
            checkerState: failed ? .down : .up, checker: "tur", nextCheck: Countdown(tick: tick, total: 4),
            priority: [50, 10, 1, 50][host])
    }

    static func map(action: String = "create", paths: [PathSnapshot]) -> MapSnapshot {
        var stats = MapSnapshot.Stats()
        stats.mapLoads = 1
        let byName = Dictionary(uniqueKeysWithValues: paths.map { ($0.identity.name, $0) })
        return MapSnapshot(
            name: "mpatha", wwid: wwid, dmMinor: 0, activePaths: 4, sizeSectors: 32768, features: "0",
            hardwareHandler: "1 alua", action: action, stats: stats, vendor: "Linux", product: "scsi_debug", revision: "0191",
            groups: [
                PathGroupSnapshot(selector: "service-time 0", priority: 50, state: .active, paths: [byName["sda"]!, byName["sdd"]!]),
                PathGroupSnapshot(selector: "service-time 0", priority: 10, state: .enabled, paths: [byName["sdb"]!]),
                PathGroupSnapshot(selector: "service-time 0", priority: 1, state: .enabled, paths: [byName["sdc"]!])
            ])
    }

    static let all = "%n %w %d %F %Q %N %r %t %S %f %x %h %A %0 %1 %2 %3 %4 %s %v %p %e %G %g"
    static let allPaths = "%w %i %d %D %t %o %T %s %c %C %p %S %z %M %m %N %n %R %r %a %G %g %0 %P %I %L"

    @Test func showPaths() throws {
        #expect(ShowFormat.paths((0..<4).map { Self.path($0) }) == (try Self.fixture("paths")))
    }

    @Test func showPathsEveryWildcard() throws {
        let paths = (0..<4).map { Self.path($0, tick: 1) }
        #expect(ShowFormat.paths(paths, format: Self.allPaths) == (try Self.fixture("pall")))
        #expect(ShowFormat.paths(paths, format: Self.allPaths, raw: true) == (try Self.fixture("pallraw")))
    }

    @Test func literalTextAndUnknownWildcards() throws {
        let paths = (0..<4).map { Self.path($0) }
        #expect(ShowFormat.paths(paths, format: "x%%y %d|%t %Z end") == (try Self.fixture("literal")))
    }

    @Test func aFailedPath() throws {
        let paths = (0..<4).map { Self.path($0, tick: $0 == 2 ? 1 : 2, failed: $0 == 2) }
        #expect(ShowFormat.paths(paths) == (try Self.fixture("paths-after-fail")))
        var m = Self.map(paths: paths)
        m.activePaths = 3
        m.stats.pathFaults = 1
        m.stats.mapLoads = 0  // the capture had run `reset maps stats` before
        m.groups[2].priority = 0  // a group's priority counts its usable paths only
        #expect(ShowFormat.json(maps: [m]) == (try Self.fixture("maps-json-after-fail")))
    }

    /// 0.9.4 prints a C null for an orphan's checker, "(null)"; we print an empty field.
    @Test func orphansPrintPlaceholdersNeverFail() throws {
        let paths = (0..<4).map { Self.path($0, orphan: true) }
        #expect(ShowFormat.paths(paths) == (try Self.fixture("paths-orphan")))
        let golden = try Self.fixture("pall-orphan").replacingOccurrences(of: "(null)", with: "      ")
        #expect(ShowFormat.paths(paths, format: Self.allPaths) == golden)
    }

    @Test func showMapsTables() throws {
        let m = Self.map(paths: (0..<4).map { Self.path($0) })
        #expect(ShowFormat.maps([m]) == (try Self.fixture("maps")))
        #expect(ShowFormat.maps([m], format: ShowFormat.mapsStatus) == (try Self.fixture("maps-status")))
        #expect(ShowFormat.maps([m], format: ShowFormat.mapsStats) == (try Self.fixture("maps-stats")))
        var reset = m
        reset.stats = MapSnapshot.Stats()  // captured after `reset maps stats`
        #expect(ShowFormat.maps([reset], format: Self.all) == (try Self.fixture("mall")))
        #expect(ShowFormat.maps([reset], format: Self.all, raw: true) == (try Self.fixture("mallraw")))
        #expect(ShowFormat.map(m, among: [m], format: "%n %w %d") == (try Self.fixture("mapfmt")))
    }

    /// `show map M [raw] format`: 0.9.4 pads the row to the columns of every map (headers included), raw too.
    @Test func oneMapIsPaddedToTheWholeTable() {
        var a = Self.map(paths: (0..<4).map { Self.path($0) })
        a.name = "a"
        var b = a
        b.name = "mpathbb"
        b.wwid = "3600b"
        #expect(ShowFormat.map(a, among: [a, b], format: "%n|%N|") == "a      |4    |\n")
    }

    @Test func emptyTablesAreEmpty() {
        #expect(ShowFormat.maps([]) == "")
        #expect(ShowFormat.paths([]) == "")
        #expect(ShowFormat.topology([]) == "")
    }

    @Test func topology() throws {
        let paths = (0..<4).map { Self.path($0) }
        #expect(ShowFormat.topology([Self.map(paths: paths)]) == (try Self.fixture("topology")))
        #expect(ShowFormat.topology([Self.map(paths: paths)]) == (try Self.fixture("map-topology")))
        #expect(ShowFormat.topology([Self.map(action: "", paths: paths)]) == (try Self.fixture("ll")))
    }

    @Test func json() throws {
        let m = Self.map(paths: (0..<4).map { Self.path($0) })
        #expect(ShowFormat.json(maps: [m]) == (try Self.fixture("maps-json")))
        #expect(ShowFormat.json(map: m) == (try Self.fixture("map-json")))
        #expect(ShowFormat.json(maps: []) == (try Self.fixture("json-empty")))
    }

    @Test func fixedTexts() throws {
        #expect(ShowFormat.wildcards == (try Self.fixture("wildcards")))
        #expect(ShowFormat.status((0..<4).map { Self.path($0) }, busy: false) == (try Self.fixture("status")))
        #expect(ShowFormat.daemon(pid: 253, state: "idle") == (try Self.fixture("daemon")))
    }

    /// The 0.9.4 client sends each word followed by a space, then a newline. Our help lists 0.9.4's
    /// commands as it does, then ours (`show stats json`).
    @Test func helpText() throws {
        let version = "multipath-tools v0.9.4 (12/19, 2022)"
        for (request, fixture) in [("show foo \n", "show-foo"), ("show map \n", "show-map"), ("help \n", "help")] {
            guard case .failure(let error) = ControlGrammar.parse(request) else {
                Issue.record("\(request) parsed")
                continue
            }
            #expect(
                ControlGrammar.reply(toUnparsable: request, error: error, version: version)
                    == (try Self.fixture(fixture)) + " list|show stats json\n")
        }
        #expect(ControlGrammar.reply(toUnparsable: "foo paths \n", error: .notFound, version: version) == "fail\n")
    }

    @Test(arguments: [
        (UInt64(32768), "16M"), (2, "1.0K"), (19, "9.0K"), (2047, "1023K"), (2049, "1.0M"), (2048, "1.0M"), (4_194_304, "2.0G"),
        (41_943_040, "20G"),
        (20_971_520, "10G"), (1, "0.0K")
    ])
    func sizes(sectors: UInt64, text: String) {
        #expect(ShowFormat.size(sectors: sectors) == text)
    }
}
