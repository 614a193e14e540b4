import MultipathRegex
import Testing

@testable import MultipathCore

/// "Blacklist everything, one exception per LUN" is common: loading stays linear in the entries.
@Suite struct ManyEntriesTests {
    static let count = 10_000
    /// Generous for a loaded debug build (0.5 s here); the quadratic load took 5 to 7 s.
    static let bound = Duration.seconds(3)

    static func lines(_ keyword: String) -> String {
        (0..<count).map { "    \(keyword) \"^3600a0980383030\($0)\"" }.joined(separator: "\n")
    }

    @Test(arguments: ["blacklist", "blacklist_exceptions"])
    func tenThousandWWIDEntriesLoadFast(_ section: String) {
        let text = "blacklist {\n    wwid \".*\"\n}\n\(section) {\n\(Self.lines("wwid"))\n}\n"
        var loaded: Config?
        let took = ContinuousClock().measure { loaded = ConfigLoader.load(main: ("/etc/multipath.conf", text), confD: [], regex: .glibc).0 }
        let rules = section == "blacklist" ? loaded?.blacklist.blacklist : loaded?.blacklist.exceptions
        #expect(rules?.wwid.count == Self.count + (section == "blacklist" ? 1 : 0))
        #expect(took < Self.bound, "\(Self.count) \(section) entries took \(took)")
        print("\(Self.count) \(section) wwid entries loaded in \(took)")
    }
}

/// A reconfigure compiles the user's expressions, not the built-in device table and blacklist again.
@Suite struct BuiltinTableCompiledOnceTests {
    final class Counter: @unchecked Sendable {
        var compiled: [String] = []
    }

    @Test func aLoadCompilesOnlyTheFilesExpressions() {
        let counter = Counter()
        let engine = RegexEngine { pattern in
            counter.compiled.append(pattern)
            return RegexEngine.glibc.compile(pattern)
        }
        let builtins = counter.compiled.count
        #expect(builtins > 100, "the engine compiles the built-in table when it is made")
        let text = """
            blacklist {
                wwid "^3600a0980"
            }
            devices {
                device {
                    vendor "ACME"
                    product "^LUN"
                }
            }
            """
        for _ in 0..<2 {
            counter.compiled.removeAll()
            let (config, diagnostics) = ConfigLoader.load(main: ("/etc/multipath.conf", text), confD: [], regex: engine)
            #expect(diagnostics.isEmpty)
            #expect(config.hardware.count == ConfigLoader.builtinHardware.count + 1)
            // The built-in blacklist rules and product_blacklist pairs were compiled with the table.
            #expect(counter.compiled.sorted() == ["ACME", "^3600a0980", "^LUN"])
        }
    }
}
