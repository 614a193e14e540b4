import MultipathCore
import Testing

@testable import MultipathRegex

/// The expressions of multipath.conf mean what glibc's `regcomp(REG_EXTENDED|REG_NOSUB)` makes of them, as in 0.9.4.
@Suite struct GlibcRegexTests {
    static func compile(_ pattern: String) -> ConfigRegex? {
        if case .success(let regex) = RegexEngine.glibc.compile(pattern) { return regex }
        return nil
    }

    static let cases: [(String, String, Bool)] = [
        ("bar", "rhabarber", true), ("bar", "Barbie", false), ("", "anything", true),
        ("^DGC", "DGC", true), ("^DGC", "xDGC", false), ("LUNZ$", "LUNZ", true), ("LUNZ$", "LUNZx", false),
        ("(COMPAQ|HP)", "COMPAQ", true), ("(COMPAQ|HP)", "IBM", false), ("(MSA|HSV)1[01]0", "HSV120", false),
        ("[^a-z]", "abc", false), ("[]x]", "]", true), ("[a-]", "-", true), ("^[[:upper:]]+$", "AbC", false),
        ("^a{2}$", "aaa", false), ("^(ab)*$", "aba", false), ("1\\.0", "1x0", false), ("\\(x\\)", "(x)", true),
        ("(SCSI_IDENT_|ID_WWN)", "ID_WWN_WITH_EXTENSION", true), ("^(sd[a-z]|dasd[a-z]|nvme[0-9])", "dm-0", false),
        // Where our own engine differed from glibc.
        ("ab)", "xab)", true), ("ab)", "ab", false),
        ("^a{1,300}$", String(repeating: "a", count: 300), true), ("^a{1,300}$", String(repeating: "a", count: 301), false),
        ("^xa{,3}y$", "xy", true), ("^xa{,3}y$", "xaaay", true), ("^xa{,3}y$", "xaaaay", false),
        ("^a{256}$", String(repeating: "a", count: 256), true), ("^a{256}$", "a{256}", false),
        ("\\<disk", "my disk", true), ("\\<disk", "mydisk", false),
        ("x\\b", "x y", true), ("x\\b", "xy", false),
        ("[[.a.]]", "a", true), ("[[.a.]]", ".", false),
        // Literals (a substring search): anywhere, whole, too long, empty subject.
        ("VV", "xVVx", true), ("LUN C-Mode", "LUN C-Mode", true), ("LUN C-Mode", "LUN C-Mod", false), ("VV", "", false)
    ]

    @Test(arguments: cases)
    func matchesAsGlibc(_ c: (String, String, Bool)) {
        #expect(Self.compile(c.0)?.matches(c.1) == c.2, "\(c.0) against \(c.1)")
    }

    /// `^*` blacklisted every device with our engine; glibc refuses it.
    @Test(arguments: ["*a", "x{", "[a-z-9]", "^*", "(ab", "[abc", "a{3,1}", "x\\", "[[:nope:]]", "a{2"])
    func glibcRefuses(_ pattern: String) {
        guard case .failure(let error) = RegexEngine.glibc.compile(pattern) else {
            Issue.record("\(pattern) compiled")
            return
        }
        #expect(error.description.hasPrefix("invalid regular expression \"\(pattern)\": "))
    }

    /// What would overflow glibc's stack or take gigabytes is refused before `regcomp`, with a reason.
    @Test(arguments: [
        ("(){255}{255}", "empty-matching choices"), ("a{0,10000}", "optional repetitions"), ("(a|){2000}", "optional repetitions"),
        ("((a{255}){255}){255}", "expand to more than"),
        (String(repeating: "(", count: 5000) + "a" + String(repeating: ")", count: 5000), "nested"),
        ("(a)\\1", "back-references"), ("(|)(\\1\\1)*", "back-references"), (".*+*+*+*+[x]", "a loop over a part with empty-matching"),
        // After an anchor, glibc's closure work grows with the cube of the nullable alternatives and doubles with
        // each repetition of something that matches empty (all measured on glibc 2.36). Found by Fuzz/FuzzRegex.
        ("^(||||){922}||||||\u{c7}|||\u{87}||||||P|||$", "empty-matching choices"),  // over 10 s
        ("^(a?|b?){300}$", "empty-matching choices"),  // 5 s
        ("^(()|){200}$", "empty-matching choices"),  // 1.1 s
        ("^((a?|b?)*){16}$", "empty-matching choices"),  // over 10 s
        ("^(a**){24}$", "empty-matching choices"),  // 0.4 s at 18, doubling
        ("^(a?|b?){25}((a?|b?)*){4}$", "empty-matching choices"),  // over 10 s
        // Copies of, and loops over, something that matches empty: each multiplies glibc's work.
        ("a*{2}{2}", "repetition of a repetition that matches empty"), ("^((a?|b?)*)$", "a loop over a part with empty-matching"),
        ("^b{0,1}{0,5}{0,3}+{0,8}$", "empty-matching choices"),  // over 3 s
        ("(){5}{5}++++z5}+", "empty-matching choices"),  // 2.5 s, found by Fuzz/FuzzRegex
        ("a*{3,12}{4,}", "empty-matching choices")  // 0.3 s
    ])
    func tooCostlyForGlibcIsRefused(_ c: (String, String)) {
        guard case .failure(let error) = RegexEngine.glibc.compile(c.0) else {
            Issue.record("\(c.0.prefix(40)) compiled")
            return
        }
        #expect(error.reason.contains(c.1), "\(error)")
    }

    @Test(arguments: [
        "(a{255}){255}", "a{0,1000}", "(a){1000}", "a{32767}", String(repeating: "(", count: 50) + "a" + String(repeating: ")", count: 50),
        "^(sd|vd|xvd|)[a-z]+[0-9]*$", "^(a*)*(b*)*$", "(.*)*", "((.*)*)*", "^(a?){9}$", "^(a|b|)*$", "^(a*)?(b*)?$"
    ])
    func largeButBoundedPatternsCompile(_ pattern: String) {
        #expect(Self.compile(pattern) != nil, "\(pattern.prefix(40))")
    }

    /// Our backtracking engine took 1 s to over 60 s on these; glibc does not backtrack.
    @Test(arguments: [
        ("(.*)*[x]", "3600a098038303053453f463045674c7a"), (".*+[x]", "nvme0n1"), ("((.*)*)*[x]", "LUN C-Mode Disk Array 0000")
    ])
    func pathologicalPatternsMatchInBoundedTime(_ c: (String, String)) throws {
        let regex = try #require(Self.compile(c.0))
        var matched = true
        let took = ContinuousClock().measure { for _ in 0..<1000 { matched = regex.matches(c.1) && matched } }
        #expect(!matched)
        #expect(took < .seconds(1), "1000 matches of \(c.0) took \(took)")
    }

    /// Patterns that only name words are matched without regexec: the answers are glibc's.
    @Test func literalPatternsAnswerAsRegexec() throws {
        let patterns = [
            "VV", "^DGC", "(COMPAQ|HP)", "^(sd|vd)", "(a|)", "()", "", "^", "LUN C-Mode", "(HP|HPE)", "^VV$", "DGC$", "$", "^$",
            "^(sd|vd)$", "(HP|)$", "^3600a$"
        ]
        let subjects = [
            "", "VV", "xVVx", "DGC", "xDGC", "HP", "COMPAQ", "sda", "xsd", "vdb", "LUN C-Mode", "LUN C-Mod", "HPE", "sd", "vd",
            "DGCx", "3600a", "3600ab", "x3600a", "VxVV", "DGDGC", "HxHP", "sdsd"
        ]
        for pattern in patterns {
            let literal = try #require(LiteralPattern(pattern), "\(pattern)")
            let glibc = try GlibcRegex.compile(pattern).get()
            for s in subjects { #expect(literal.matches(s) == glibc.matches(s), "\(pattern) against \(s)") }
        }
        for pattern in ["a|b", "(a)(b)", "a$$", "a$b", "NVM[eE]", "(", "a.c", "\\.", "a\\$"] {
            #expect(LiteralPattern(pattern) == nil, "\(pattern)")
        }
    }

    @Test func everyBuiltinTableExpressionCompiles() {
        for entry in Config.builtin.hardware {
            for k in [ConfigKeyword.vendor, .product, .revision, .product_blacklist] {
                if case .string(let s)? = entry.settings[k]?.value { #expect(Self.compile(s) != nil, "\(s)") }
            }
        }
    }
}
