import MultipathRegex
import Testing

@testable import MultipathCore

@Suite struct NamesTests {
    @Test(arguments: [
        (1, "a"), (2, "b"), (26, "z"), (27, "aa"), (28, "ab"), (52, "az"), (53, "ba"), (702, "zz"), (703, "aaa"), (18278, "zzz"),
        (18279, "aaaa")
    ])
    func suffix(_ c: (Int, String)) {
        #expect(Bindings.suffix(for: c.0) == c.1)
        #expect(Bindings.id(of: "mpath" + c.1, prefix: "mpath") == c.0)
    }

    @Test(arguments: ["mpath", "mpathA", "mpath1", "other", "mpatha-1"])
    func notAnID(_ alias: String) {
        #expect(Bindings.id(of: alias, prefix: "mpath") == nil)
    }

    static let file = """
        # Multipath bindings, Version : 1.0
        mpatha 3600a
        mpathc 3600c  # trailing comment
        mpathb
        mpathd 3600a
        mpatha 3600e
        custom 3600f extra
        """

    @Test func parseSkipsBrokenAndDuplicateLines() {
        let (b, d) = Bindings.parse(Self.file)
        #expect(b.bindings.map(\.alias) == ["mpatha", "mpathc", "custom"])
        #expect(d.map(\.location?.line) == [4, 5, 6])
    }

    /// `"\r\n"` is one Swift Character: the file is split as bytes, as 0.9.4 reads it.
    @Test func crlfLinesAreRead() {
        let (b, d) = Bindings.parse("# header\r\nmpatha 3600a\r\nmpathb 3600b # note\r\n\r\nmpathc\t3600c\r\n")
        #expect(
            b.bindings == [
                .init(alias: "mpatha", wwid: "3600a"), .init(alias: "mpathb", wwid: "3600b"), .init(alias: "mpathc", wwid: "3600c")
            ])
        #expect(d.isEmpty)
    }

    @Test func renderThenParseRoundTrips() {
        let (b, _) = Bindings.parse(Self.file)
        #expect(Bindings.parse(b.render()).0 == b)
        #expect(b.render().hasPrefix("# Multipath bindings, Version : 1.0\n"))
        #expect(b.render().hasSuffix("#\nmpatha 3600a\nmpathc 3600c\ncustom 3600f\n"))
    }

    @Test func allocation() {
        var (b, _) = Bindings.parse(Self.file)
        #expect(b.allocate(wwid: "3600a", prefix: "mpath") == "mpatha", "existing binding")
        #expect(b.allocate(wwid: "3600z", prefix: "mpath") == "mpathb", "smallest free id")
        #expect(b.allocate(wwid: "3600y", prefix: "mpath", taken: { $0 == "mpathd" }) == "mpathe", "a name used by another map is skipped")
        #expect(b.allocate(wwid: "3600f", prefix: "mpath") == "mpathd", "a binding without the prefix gets a new name")
        #expect(b.alias(forWWID: "3600f") == "mpathd" && b.wwid(forAlias: "custom") == nil)
        #expect(b.allocate(wwid: "3600x", prefix: "data") == "dataa")
        #expect(b.allocate(wwid: "3600w", prefix: "mpath", current: "mpathq") == "mpathq", "a map's own name is kept")
        #expect(b.allocate(wwid: "3600v", prefix: "mpath", current: "mpatha") == "mpathf", "unless another WWID holds it")
    }

    @Test func aNameFreedByAPrefixChangeIsGivenAgain() {
        var b = Bindings()
        #expect((1...30).map { b.allocate(wwid: "3600\($0)", prefix: "mpath") }.last == "mpathad")
        #expect(b.allocate(wwid: "36001", prefix: "data") == "dataa")
        #expect(b.allocate(wwid: "3600new", prefix: "mpath") == "mpatha")
        #expect(b.revision == 32 && b.bindings.count == 31)
    }

    @Test func readOnlyDoesNotAllocate() {
        var (b, _) = Bindings.parse(Self.file, readOnly: true)
        #expect(b.allocate(wwid: "3600c", prefix: "mpath") == "mpathc")
        #expect(b.allocate(wwid: "3600new", prefix: "mpath") == nil)
        #expect(b.bindings.count == 3)
    }

    @Test func mapNameOrder() {
        let (c, _) = ConfigLoader.load(
            main: (
                "f",
                """
                defaults {
                    user_friendly_names yes
                }
                multipaths {
                    multipath {
                        wwid 36001
                        alias db
                    }
                    multipath {
                        wwid 36003
                        user_friendly_names no
                    }
                }
                """
            ), confD: [], regex: .glibc)
        var b = Bindings()
        #expect(c.mapName(wwid: "36001", paths: [], bindings: &b) == .configured("db"))
        #expect(c.mapName(wwid: "36002", paths: [], bindings: &b) == .friendly("mpatha"))
        #expect(c.mapName(wwid: "36003", paths: [], bindings: &b) == .wwid("36003"))
        #expect(MapName.friendly("mpatha").origin == "(setting: user_friendly_name)")
        var ro = Bindings(readOnly: true)
        #expect(c.mapName(wwid: "36004", paths: [], bindings: &ro) == .wwid("36004"))
    }

    @Test func wwidsFile() {
        // As 0.9.4: a line counts only when it starts with `/`; a CRLF ending is no part of the WWID.
        var w = WWIDsFile.parse("# Multipath wwids, Version : 1.0\n/3600a/\n/3600b/ # x\r\n  /3600d/\nnot-a-wwid\n//\n/3600a/\n")
        #expect(w.wwids == ["3600a", "3600b"])
        #expect(w.add("3600c") == "/3600c/\n")
        #expect(w.add("3600a") == nil)
        w.remove("3600b")
        #expect(w.render() == WWIDsFile.header + "/3600a/\n/3600c/\n")
        #expect(WWIDsFile.parse(w.render()) == w)
    }
}

@Suite struct FindMultipathsTests {
    static let t0 = Instant(nanoseconds: 1_000_000_000_000)

    /// (mode, known wwid, siblings, known hardware, seconds since first seen, verdict)
    static let cases: [(FindMultipathsMode, Bool, Int, Bool, Int, FindMultipathsPolicy.Verdict)] = [
        (.greedy, false, 0, false, 0, .multipath),
        (.off, false, 0, false, 0, .multipath),
        (.strict, false, 3, true, 0, .notMultipath),
        (.strict, true, 0, false, 0, .multipath),
        (.on, false, 0, true, 0, .notMultipath),
        (.on, false, 1, true, 0, .multipath),
        (.on, true, 0, true, 0, .multipath),
        (.smart, false, 1, true, 0, .multipath),
        (.smart, true, 0, false, 0, .multipath),
        (.smart, false, 0, true, 3, .waitUntil(t0 + .seconds(10))),
        (.smart, false, 0, true, 10, .notMultipath),
        (.smart, false, 0, false, 0, .waitUntil(t0 + .seconds(1))),
        (.smart, false, 0, false, 1, .notMultipath)
    ]

    @Test(arguments: cases)
    func decide(_ c: (FindMultipathsMode, Bool, Int, Bool, Int, FindMultipathsPolicy.Verdict)) {
        let p = FindMultipathsPolicy(mode: c.0, timeout: -10)
        #expect(
            p.decide(
                knownWWID: c.1, mapExists: false, siblings: c.2, knownHardware: c.3,
                firstSeen: Self.t0, now: Self.t0 + .seconds(c.4)) == c.5)
    }

    @Test(arguments: FindMultipathsMode.allCases)
    func existingMapAlwaysWins(_ mode: FindMultipathsMode) {
        #expect(
            FindMultipathsPolicy(mode: mode, timeout: 5).decide(
                knownWWID: false, mapExists: true, siblings: 0,
                knownHardware: false, firstSeen: Self.t0, now: Self.t0) == .multipath)
    }

    @Test(arguments: [(5, true, 5), (5, false, 5), (-20, true, 20), (-20, false, 1), (0, true, 10), (0, false, 1)])
    func waitTime(_ c: (Int, Bool, Int)) {
        #expect(FindMultipathsPolicy(mode: .smart, timeout: c.0).waitTime(knownHardware: c.1) == .seconds(c.2))
    }

    @Test func fromConfig() {
        let (c, _) = ConfigLoader.load(
            main: ("f", "defaults {\n find_multipaths smart\n find_multipaths_timeout 30\n}"), confD: [], regex: .glibc)
        #expect(FindMultipathsPolicy(c) == FindMultipathsPolicy(mode: .smart, timeout: 30))
        #expect(FindMultipathsPolicy(Config.builtin) == FindMultipathsPolicy(mode: .strict, timeout: -10))
    }
}
