import MultipathCore
import MultipathRegex
import Testing

/// Hostile sizes (issue 14), each answered within a stated bound. The bounds are for a debug build on
/// a loaded 2-core CI machine, several times what the development host takes (printed with each run).
/// What reaches the loop from outside is bounded before these costs arise: a control request is at
/// most 512 bytes (`ControlAbuseTests`), so a `show paths format` carries at most about 250 wildcards.
@Suite struct PathologicalCostTests {
    static func seconds(_ body: () -> Void) -> Double {
        let d = ContinuousClock().measure(body)
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func wwid(_ i: Int) -> String { "3600a098038303053453f4630455" + String(100_000 + i) }

    static func path(_ i: Int) -> PathIdentity {
        PathIdentity(
            name: "sdaa\(i)", devT: DevT(major: 8, minor: UInt32(i)), hctl: HCTL(host: i, channel: 0, target: 0, lun: 0),
            vendor: "NETAPP", product: "LUN C-Mode", revision: "9800", wwid: wwid(i), serial: "\(i)",
            sizeSectors: 32768, transport: .scsi(.unspecified))
    }

    static func load(_ text: String) -> Config { ConfigLoader.load(main: ("/etc/multipath.conf", text), confD: [], regex: .glibc).0 }

    /// "Blacklist everything, one exception per LUN" at 10,000 LUNs, each exception `^WWID$`: loaded,
    /// and a path judged (every exception tried for a path that has none), within bounds.
    @Test func tenThousandBlacklistExceptions() {
        let text =
            "blacklist {\n\twwid \".*\"\n}\nblacklist_exceptions {\n"
            + (0..<10_000).map { "\twwid \"^\(Self.wwid($0))$\"\n" }.joined() + "}\n"
        var config: Config!
        let load = Self.seconds { config = Self.load(text) }
        #expect(config.blacklist.exceptions.wwid.count == 10_000)
        var verdicts: [BlacklistVerdict] = []
        let judge = Self.seconds { verdicts = [0, 9_999, 20_000].map { config.blacklistVerdict(for: Self.path($0), udevProperties: nil) } }
        #expect(verdicts == [.accepted, .accepted, .blacklisted(.wwid, rule: ".*")])
        print("10,000 blacklist exceptions: load \(load) s, 3 verdicts \(judge) s")
        #expect(load < 10, "load took \(load) s")
        #expect(judge < 3, "3 verdicts took \(judge) s")
    }

    /// A 10 MB file is read to its end (its last section applies) within a bound. Loading runs on the
    /// loop, at start and at `reconfigure`, as 0.9.4 loads it holding the lock its checkers need.
    @Test func aTenMegabyteConfiguration() {
        let line = "# generated: one line of a file far larger than any real configuration needs\n"
        let text = String(repeating: line, count: 10_000_000 / line.utf8.count) + "defaults {\n\tpolling_interval 7\n}\n"
        #expect(text.utf8.count >= 10_000_000)
        var config: Config!
        let load = Self.seconds { config = Self.load(text) }
        #expect(config.pollingInterval == 7)
        print("10 MB configuration: load \(load) s")
        #expect(load < 15, "load took \(load) s")
    }

    /// A format of 10,000 wildcards over 10 paths is rendered within a bound (about 100,000 fields).
    @Test func aShowPathsFormatOf10000Wildcards() {
        let format = String(repeating: "%d %w %t|", count: 3_334)
        let paths = (0..<10).map { i in PathSnapshot(identity: Self.path(i), priority: 1, failures: 0) }
        var out = ""
        let took = Self.seconds { out = ShowFormat.paths(paths, format: format) }
        #expect(out.split(separator: "\n").count == 11)  // the header and one line a path
        print("show paths format of 10,002 wildcards, 10 paths: \(took) s, \(out.utf8.count) bytes")
        #expect(took < 5, "took \(took) s")
    }

    /// A 64 KiB request never reaches the grammar through the socket (over 512 bytes closes the
    /// connection); were it parsed, it would be answered in linear time.
    @Test func a64KiBCommandIsParsedInLinearTime() throws {
        let request = "show paths format \"" + String(repeating: "%d", count: 32_768) + "\""
        var parsed: Result<ControlCommand, ControlParseError>?
        let took = Self.seconds { parsed = ControlGrammar.parse(request) }
        #expect(try parsed?.get() == .showPaths(format: String(repeating: "%d", count: 32_768), raw: false))
        print("64 KiB command parsed in \(took) s")
        #expect(took < 2, "took \(took) s")
    }
}
