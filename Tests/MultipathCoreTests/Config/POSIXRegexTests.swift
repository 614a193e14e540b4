import Testing

@testable import MultipathCore

@Suite struct POSIXRegexTests {
    static let cases: [(String, String, Bool)] = [
        ("bar", "rhabarber", true), ("bar", "Barbie", false), ("", "anything", true),
        ("^DGC", "DGC", true), ("^DGC", "xDGC", false), ("LUNZ$", "LUNZ", true), ("LUNZ$", "LUNZx", false),
        ("^$", "", true), ("^$", "x", false),
        ("(COMPAQ|HP)", "HP", true), ("(COMPAQ|HP)", "COMPAQ", true), ("(COMPAQ|HP)", "IBM", false),
        ("(MSA|HSV)1[01]0", "HSV110", true), ("(MSA|HSV)1[01]0", "HSV120", false),
        ("NVM[eE]", "NVMe", true), ("NVM[eE]", "NVMx", false),
        ("[^a-z]", "abc", false), ("[^a-z]", "abC", true), ("[]x]", "]", true), ("[a-]", "-", true),
        ("[[:digit:]]+", "abc7", true), ("^[[:upper:]]+$", "ABC", true), ("^[[:upper:]]+$", "AbC", false),
        ("^[[:alpha:][:digit:]]{3}$", "a1b", true), ("^[[:xdigit:]]{2,}$", "f", false),
        ("a.c", "abc", true), ("a.c", "ac", false), ("ab*c", "ac", true), ("ab+c", "ac", false),
        ("ab?c", "abbc", false), ("^a{2}$", "aa", true), ("^a{2}$", "aaa", false), ("^a{2,}$", "aaaa", true),
        ("^a{1,2}$", "aaa", false), ("^(ab)*$", "ababab", true), ("^(ab)*$", "aba", false),
        ("^(a|b)*c$", "ababc", true), ("^(a*)*$", "aaa", true), ("^(a*)+b$", "aaac", false),
        ("1\\.0", "1.0", true), ("1\\.0", "1x0", false), ("a\\+", "a+", true), ("\\(x\\)", "(x)", true),
        ("^DD[46]A-", "DD4A-1", true), ("^1814", "1814-FAStT", true), ("^OPEN-", "OPEN-V", true),
        ("x{", "x{", true), ("\\w+\\s\\S", "ab c", true), ("*a", "*a", true),
        ("(SCSI_IDENT_|ID_WWN)", "ID_WWN_WITH_EXTENSION", true), ("(SCSI_IDENT_|ID_WWN)", "ID_SERIAL", false),
        ("^(sd[a-z]|dasd[a-z]|nvme[0-9])", "sdaa", true), ("^(sd[a-z]|dasd[a-z]|nvme[0-9])", "dm-0", false)
    ]

    @Test(arguments: cases)
    func matches(_ c: (String, String, Bool)) throws {
        #expect(try POSIXRegex(c.0).matches(c.1) == c.2, "\(c.0) against \(c.1)")
    }

    @Test(arguments: ["(ab", "ab)", "[abc", "a{3,1}", "x\\", "[[:nope:]]", "\\1", "a{2"])
    func rejects(_ pattern: String) {
        #expect(throws: POSIXRegex.SyntaxError.self) { try POSIXRegex(pattern) }
    }

    @Test func everyBuiltinTableExpressionCompiles() {
        for entry in ConfigLoader.builtinHardware {
            for k in [ConfigKeyword.vendor, .product, .revision, .product_blacklist] {
                if let s = entry.string(k) { #expect((try? POSIXRegex(s)) != nil, "\(s)") }
            }
        }
    }
}
