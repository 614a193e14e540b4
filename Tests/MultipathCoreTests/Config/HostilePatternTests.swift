import MultipathRegex
import Testing

@testable import MultipathCore

/// Blacklist and device expressions from a hostile or careless multipath.conf: refused at load when glibc
/// would refuse them or could not take them, and matched in bounded time otherwise.
@Suite struct HostilePatternTests {
    static func load(_ text: String) -> (Config, [ConfigDiagnostic]) {
        ConfigLoader.load(main: ("/etc/multipath.conf", text), confD: [], regex: .glibc)
    }

    static let path = PathIdentity(
        name: "nvme0n1", devT: DevT(major: 259, minor: 0), vendor: "NETAPP", product: "LUN C-Mode",
        wwid: "3600a098038303053453f463045674c7a", transport: .scsi(.fcp))

    /// Each took from 1 s to over 60 s with our backtracking engine, and again on every verdict.
    @Test(arguments: [
        "blacklist {\n  wwid \"(.*)*[x]\"\n}", "blacklist {\n  devnode \".*+[x]\"\n}",
        "devices {\n  device {\n    vendor NETAPP\n    product \"((.*)*)*[x]\"\n  }\n}",
        "blacklist {\n  device {\n    vendor NETAPP\n    product \"((.*)*)*[x]\"\n  }\n}"
    ])
    func pathologicalPatternsAreMatchedInBoundedTime(_ text: String) {
        let (config, diagnostics) = Self.load(text)
        #expect(diagnostics.isEmpty)
        var verdict = BlacklistVerdict.missingProperty
        let took = ContinuousClock().measure {
            for _ in 0..<100 { verdict = config.blacklistVerdict(for: Self.path, udevProperties: ["ID_WWN"]) }
        }
        #expect(verdict == .accepted)
        #expect(took < .seconds(1), "100 verdicts took \(took)")
    }

    /// Found by Fuzz/FuzzRegex: repetitions of repetitions make glibc's compiler exponential (this one took
    /// 140 s in regcomp; `.**++*+*$.*` 0.2 s); copying ones nested over what matches empty are refused at load.
    @Test(arguments: [String(repeating: ".*+*+*+*$", count: 3), ".**++*+*$.*", ".*+*+*+*+[x]"])
    func stackedRepetitionsAreRefused(_ pattern: String) {
        let text = "blacklist {\n  wwid \"" + pattern + "\"\n}"
        let took = ContinuousClock().measure {
            #expect(Self.load(text).1.map(\.severity) == [.error])
        }
        #expect(took < .seconds(1), "the load took \(took)")
    }

    /// 0.9.4 refuses a file whose blacklist expression does not compile; a reconfigure keeps what runs.
    @Test(arguments: [("devnode", "*a"), ("wwid", "^*"), ("property", "[a-z-9]"), ("protocol", "x{"), ("devnode", "(){255}{255}")])
    func aBadBlacklistExpressionIsAnError(_ c: (String, String)) {
        let text = "defaults {\n  polling_interval 9\n}\nblacklist_exceptions {\n  \(c.0) \"\(c.1)\"\n}"
        let (config, diagnostics) = Self.load(text)
        #expect(
            diagnostics.map(\.description) == [
                "/etc/multipath.conf line 5, \(c.0): invalid regular expression \"\(c.1)\": "
                    + (diagnostics.first?.description.split(separator: ": ").last.map(String.init) ?? "")
            ])
        #expect(diagnostics.allSatisfy { $0.severity == .error })
        #expect(!config.blacklist.exceptions[ConfigKeyword(rawValue: c.0)!].contains { $0.text == c.1 })
        let running = Self.load("defaults {\n  polling_interval 7\n}").0
        let reload = ConfigLoader.reload(current: running, main: ("/etc/multipath.conf", text), confD: [], regex: .glibc)
        #expect(!reload.applied && reload.config.pollingInterval == 7)
    }

    /// 0.9.4 ignores a conf.d file's failure; we hold every file to the main file's rule.
    @Test func aBadBlacklistExpressionInConfDIsAnErrorToo() {
        let (_, diagnostics) = ConfigLoader.load(
            main: nil, confD: [("/etc/multipath/conf.d/a.conf", "blacklist {\n  wwid \"^*\"\n}")], regex: .glibc)
        #expect(diagnostics.map(\.severity) == [.error])
        #expect(diagnostics.first?.location == SourceLocation(file: "/etc/multipath/conf.d/a.conf", line: 2))
    }

    @Test func aBadDeviceBlacklistExpressionIsAnError() {
        let (_, diagnostics) = Self.load("blacklist {\n  device {\n    vendor \"*ACME\"\n    product X\n  }\n}")
        #expect(diagnostics.map(\.severity) == [.error])
        #expect(diagnostics.first?.location?.line == 3)
        let (_, fromTable) = Self.load("devices {\n  device {\n    vendor ACME\n    product X\n    product_blacklist \"x{\"\n  }\n}")
        #expect(fromTable.map(\.severity) == [.error])
        #expect(fromTable.first?.location?.line == 5)
    }

    /// 0.9.4 compiles device table expressions when it matches and takes a failure as "no match".
    @Test func aBadDeviceTableExpressionNeverMatches() {
        let (config, diagnostics) = Self.load("devices {\n  device {\n    vendor \"*NETAPP\"\n    product LUN\n    no_path_retry 7\n  }\n}")
        #expect(diagnostics.map(\.severity) == [.warning])
        #expect(diagnostics.first?.message.hasSuffix("the entry never matches") == true)
        #expect(config.hardware.last?.string(.vendor) == "*NETAPP")
        #expect(!config.pathSettings(for: Self.path).hardwareMatches.contains(config.hardware.count - 1))
    }
}
