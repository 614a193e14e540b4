import MultipathRegex
import Testing

@testable import MultipathCore

/// Keywords whose effect no other test shows: each changes what the core decides.
@Suite struct KeywordEffectTests {
    static func config(_ text: String) -> Config {
        let (config, diagnostics) = ConfigLoader.load(main: ("/etc/multipath.conf", text), confD: [], regex: .glibc)
        precondition(diagnostics.isEmpty, "\(diagnostics)")
        return config
    }

    /// `detect_checker` makes an ALUA path use tur, `detect_prio` makes it use alua (sysfs when the
    /// kernel shows the access state); `no` keeps the configured ones.
    @Test(arguments: [("yes", CheckerKind.tur, PrioritizerKind.alua), ("no", .directio, .const)])
    func detectCheckerAndPrioFollowTPGS(detect: String, checker: CheckerKind, prio: PrioritizerKind) {
        let c = Self.config("defaults {\npath_checker directio\ndetect_checker \(detect)\ndetect_prio \(detect)\n}\n")
        let alua = PathIdentity(name: "sdb", devT: DevT(major: 8, minor: 16), wwid: "3600a", tpgs: 1)
        let choice = PathChoice.select(alua, c.pathSettings(for: alua), hasAccessState: false, checkerTimeout: .seconds(30))
        #expect(choice.checker.value == checker && choice.prio.value == prio)
    }

    @Test func aliasPrefixNamesFriendlyMaps() {
        let c = Self.config("defaults {\nuser_friendly_names yes\nalias_prefix disk\n}\n")
        var bindings = Bindings()
        #expect(c.mapName(wwid: "3600a", paths: [], bindings: &bindings).name == "diska")
        let plain = Self.config("defaults {\nuser_friendly_names no\nalias_prefix disk\n}\n")
        #expect(plain.mapName(wwid: "3600a", paths: [], bindings: &bindings).name == "3600a")
    }

    /// `path_selector`, `rr_min_io_rq` and `rr_weight priorities` (the path's priority times the
    /// repeat count) reach the table.
    @Test func selectorAndRepeatCountReachTheTable() {
        var e = Multipaths(
            config: Self.config(
                "defaults {\nfind_multipaths no\npath_selector \"round-robin 0\"\nrr_min_io_rq 3\nrr_weight priorities\n}\n"))
        let sdb = PathIdentity(name: "sdb", devT: DevT(major: 8, minor: 16), wwid: "3600a", sizeSectors: 8)
        _ = e.addPath(sdb, udevProperties: nil, choice: MultipathsTests.choice, now: MultipathsTests.t0)
        let created = e.checkerFinished(sdb.devT, MultipathsTests.up, now: MultipathsTests.t0).compactMap { a -> String? in
            if case .create(let l) = a { "\(l.table)" } else { nil }
        }
        #expect(created == ["0 0 1 1 round-robin 0 1 1 8:16 3"])
    }

    /// `features` reach the table; `queue_if_no_path` there means queueing when nothing sets
    /// `no_path_retry`, as 0.9.4 reads it.
    @Test func featuresReachTheTable() {
        let c = Self.config("defaults {\nfeatures \"1 queue_if_no_path\"\n}\n")
        let settings = c.mapSettings(wwid: "3600a", paths: [])
        #expect(settings.features.value == "1 queue_if_no_path" && settings.effectiveNoPathRetry == .queue)
        var e = Multipaths(config: Self.config("defaults {\nfind_multipaths no\nfeatures \"1 queue_if_no_path\"\n}\n"))
        let sdb = PathIdentity(name: "sdb", devT: DevT(major: 8, minor: 16), wwid: "3600a", sizeSectors: 8)
        _ = e.addPath(sdb, udevProperties: nil, choice: MultipathsTests.choice, now: MultipathsTests.t0)
        _ = e.checkerFinished(sdb.devT, MultipathsTests.up, now: MultipathsTests.t0)
        #expect(e.maps["3600a"]?.table.queueIfNoPath == true)
    }

    @Test func checkerIsTheOldNameOfPathChecker() {
        let c = Self.config("defaults {\nchecker readsector0\n}\n")
        let p = PathIdentity(name: "sdb", devT: DevT(major: 8, minor: 16), wwid: "3600a")
        #expect(c.pathSettings(for: p).pathChecker.value == .readsector0)
    }
}
