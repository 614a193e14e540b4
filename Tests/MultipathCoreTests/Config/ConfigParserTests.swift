import MultipathRegex
import Testing

@testable import MultipathCore

@Suite struct ConfigParserTests {
    static func load(_ text: String) -> (Config, [ConfigDiagnostic]) {
        ConfigLoader.load(main: ("/etc/multipath.conf", text), confD: [], regex: .glibc)
    }

    /// (configuration, severity, line, keyword, message fragment)
    static let diagnostics: [(String, ConfigDiagnostic.Severity, Int, String?, String)] = [
        ("defaults {\n  bogus 1\n}", .warning, 2, "bogus", "invalid keyword in the defaults section"),
        ("defaults {\n  no_path_retry fial\n}", .warning, 2, "no_path_retry", "invalid value \"fial\""),
        ("defaults {\n  verbosity 9\n}", .warning, 2, "verbosity", "too large, capping at 4"),
        ("defaults {\n  san_path_err_threshold -1\n}", .warning, 2, "san_path_err_threshold", "too small, capping at 1"),
        ("defaults {\n  failback\n}", .warning, 2, "failback", "missing value"),
        ("defaults {\n  alias_prefix \"mp\n}", .warning, 2, "alias_prefix", "missing closing quote"),
        ("defaults {\n  polling_interval 5 6\n}", .warning, 2, nil, "ignoring extra data starting with '6'"),
        ("defaults {\n  polling_interval 5\n  polling_interval 6\n}", .warning, 3, "polling_interval", "duplicate keyword"),
        ("defaults {\n  pg_timeout 5\n}", .warning, 2, "pg_timeout", "ignoring deprecated option"),
        ("defaults {\n  marginal_pathgroups fpin\n}", .warning, 2, "marginal_pathgroups", "\"fpin\" is not supported"),
        ("defaults {\n  all_tg_pt yes\n}", .warning, 2, "all_tg_pt", "not supported, ignored"),
        ("defaults {\n  path_checker bogus\n}", .warning, 2, "path_checker", "\"bogus\" is not a checker (tur, readsector0, directio"),
        ("defaults {\n  checker bogus\n}", .warning, 2, "checker", "\"bogus\" is not a checker"),
        ("devices {\n  device {\n    vendor X\n    product Y\n    prio frob\n  }\n}", .warning, 5, "prio", "\"frob\" is not a prioritizer"),
        ("blacklist {\n  devnode \"(sd\"\n}", .error, 2, "devnode", "invalid regular expression"),
        ("devices {\n  device {\n    vendor X\n  }\n}", .warning, 3, "device", "without vendor or product"),
        ("multipaths {\n  multipath {\n    alias a\n  }\n}", .warning, 3, "multipath", "without wwid"),
        ("frobnicate {\n  x 1\n}", .warning, 1, "frobnicate", "invalid keyword"),
        ("defaults\n  verbosity 3\n}", .error, 1, "defaults", "missing '{'"),
        ("defaults x\n}", .error, 1, "defaults", "expecting '{', found 'x'"),
        ("}", .error, 1, nil, "unmatched '}'"),
        ("{", .error, 1, nil, "invalid keyword '{'"),
        ("defaults {\n  verbosity 3\n", .error, 3, "defaults", "missing '}' at end of file"),
        ("defaults { polling_interval 7 }", .warning, 1, nil, "ignoring extra data starting with 'polling_interval'")
    ]

    /// A refused checker or prioritizer name is ignored: the next level's value applies.
    @Test func unknownCheckerAndPrioritizerNamesAreRefusedAtLoad() {
        let (config, _) = Self.load("defaults {\n  path_checker bogus\n  prio frob\n}")
        let s = config.pathSettings(for: PathIdentity(name: "sda", devT: DevT(major: 8, minor: 0)))
        #expect(s.pathChecker.value == .tur && s.pathChecker.origin == .internalDefault)
        #expect(s.prio.value == .const && s.prio.origin == .internalDefault)
    }

    @Test(arguments: diagnostics)
    func diagnostic(_ c: (String, ConfigDiagnostic.Severity, Int, String?, String)) {
        let (_, d) = Self.load(c.0)
        let hit = d.first { $0.message.contains(c.4) }
        #expect(hit != nil, "got \(d)")
        #expect(hit?.severity == c.1 && hit?.location == SourceLocation(file: "/etc/multipath.conf", line: c.2) && hit?.keyword == c.3)
    }

    @Test func badValueKeepsTheDefault() {
        let (c, _) = Self.load("defaults {\n  no_path_retry fial\n  rr_weight heavy\n}")
        #expect(c.global(.no_path_retry)?.value == .noPathRetry(.fail))
        #expect(c.global(.rr_weight)?.origin == .internalDefault)
    }

    @Test func unknownSectionIsSkippedWhole() {
        let (c, d) = Self.load("frobnicate {\n  polling_interval 9\n}\ndefaults {\n  polling_interval 7\n}")
        #expect(c.pollingInterval == 7)
        #expect(!d.contains { $0.severity == .error })
    }

    /// 0.9.4 reads on after an unknown section opened and closed on one line.
    @Test func unknownSectionOnOneLineSkipsNothingElse() {
        let (c, d) = Self.load("bogus { }\ndefaults {\n  polling_interval 7\n}\nblacklist {\n  wwid 3600a\n}")
        #expect(c.pollingInterval == 7)
        #expect(c.blacklist.blacklist.wwid.map(\.text) == ["3600a"])
        #expect(d.map(\.message) == ["invalid keyword"])
        let (nested, _) = Self.load("frob { a { } b 1\n polling_interval 9\n}\ndefaults {\n  polling_interval 7\n}")
        #expect(nested.pollingInterval == 7)
    }

    @Test func unsupportedKeywordIsReportedOnce() {
        let (_, d) = Self.load(
            "defaults {\n  strict_timing yes\n}\noverrides {\n  all_tg_pt yes\n}\ndevices {\n device {\n  vendor A\n  product B\n  all_tg_pt yes\n }\n}"
        )
        #expect(d.filter { $0.keyword == "all_tg_pt" }.map(\.location?.line) == [5])
        #expect(d.contains { $0.keyword == "strict_timing" && $0.message.hasPrefix("not supported, ignored") })
    }

    @Test func sectionsAreRead() throws {
        let (c, d) = Self.load(
            """
            defaults {
                user_friendly_names yes
                checker directio
            }
            blacklist {
                wwid "^1"
                protocol "scsi:sas"
                device {
                    vendor V
                    product P
                }
            }
            blacklist_exceptions {
                devnode "sdz"
            }
            devices {
                device {
                    vendor "ACME"
                    product "X"
                    failback followover
                }
            }
            overrides {
                dev_loss_tmo infinity
                protocol {
                    type scsi:iscsi
                    fast_io_fail_tmo 3
                }
            }
            multipaths {
                multipath {
                    wwid 36001
                    alias db
                }
            }
            """)
        #expect(d.isEmpty, "\(d)")
        #expect(c.defaults[.user_friendly_names]?.value == .bool(true))
        #expect(c.defaults[.path_checker]?.value == .string("directio"), "checker is the old name of path_checker")
        #expect(c.blacklist.blacklist.wwid.map(\.text) == ["^1"] && c.blacklist.blacklist.protocols.map(\.text) == ["scsi:sas"])
        #expect(c.blacklist.blacklist.device.first?.vendor?.text == "V")
        #expect(c.blacklist.exceptions.devnode.map(\.text) == ["sdz"])
        #expect(c.hardware.last?.settings[.failback]?.value == .failback(.followover))
        #expect(c.overrides[.dev_loss_tmo]?.value == .devLossTimeout(.infinity))
        #expect(c.protocols.first?[.fast_io_fail_tmo]?.value == .scsiTimeout(.seconds(3)))
        #expect(c.multipathEntry(wwid: "36001")?[.alias]?.value == .string("db"))
    }

    @Test func confDFilesAreSortedAndFiltered() {
        #expect(ConfigLoader.confDFiles(["b.conf", "a.conf", "B.conf", ".conf", "x.conf.bak", "readme"]) == ["B.conf", "a.conf", "b.conf"])
    }

    @Test func laterFilesOverrideDefaults() {
        let (c, _) = ConfigLoader.load(
            main: ("/etc/multipath.conf", "defaults {\n polling_interval 7\n}"),
            confD: [("/etc/multipath/conf.d/a.conf", "defaults {\n polling_interval 9\n}")], regex: .glibc)
        #expect(c.global(.polling_interval)?.location == SourceLocation(file: "/etc/multipath/conf.d/a.conf", line: 2))
    }

    @Test(arguments: [
        ("no", FindMultipathsMode.off), ("yes", .on), ("0", .off), ("1", .on), ("smart", .smart), ("greedy", .greedy), ("strict", .strict)
    ])
    func findMultipathsSynonyms(_ c: (String, FindMultipathsMode)) {
        #expect(Self.load("defaults {\n find_multipaths \(c.0)\n}").0.findMultipaths == c.1)
    }

    @Test func reloadKeepsTheRunningConfigurationWhenAFileIsBroken() {
        let running = Self.load("defaults {\n polling_interval 7\n}").0
        let broken = ConfigLoader.reload(
            current: running, main: ("/etc/multipath.conf", "defaults {\n polling_interval 9\n"), confD: [], regex: .glibc)
        #expect(!broken.applied && broken.config.pollingInterval == 7)
        #expect(broken.diagnostics.contains { $0.severity == .error && $0.message.contains("missing '}'") })
        let fine = ConfigLoader.reload(
            current: running, main: ("/etc/multipath.conf", "defaults {\n polling_interval 9\n bogus 1\n}"), confD: [], regex: .glibc)
        #expect(fine.applied && fine.config.pollingInterval == 9 && fine.diagnostics.count == 1)
    }
}
