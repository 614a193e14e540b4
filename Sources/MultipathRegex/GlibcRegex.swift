import Glibc
import MultipathCore

extension RegexEngine {
    /// glibc's `regcomp(REG_EXTENDED|REG_NOSUB)` and `regexec`, as 0.9.4 compiles and matches its expressions
    /// (in the C locale: bytes are matched as bytes). A pattern that `RegexLimits` finds too costly for glibc is
    /// refused before it reaches `regcomp`.
    public static let glibc = RegexEngine { pattern in
        if let reason = RegexLimits.refusal(pattern) { return .failure(RegexError(pattern: pattern, reason: reason)) }
        if let literal = LiteralPattern(pattern) { return .success(ConfigRegex(pattern: pattern) { literal.matches($0) }) }
        return GlibcRegex.compile(pattern).map { compiled in ConfigRegex(pattern: pattern) { compiled.matches($0) } }
    }
}

extension Config {
    /// The configuration with no file at all, its expressions compiled by glibc.
    public static let builtin: Config = ConfigLoader.load(main: nil, confD: [], regex: .glibc).0
}

/// One compiled `regex_t`, freed with the last reference.
/// `@unchecked Sendable`: after `regcomp` the buffer is only read, and glibc's `regexec` takes the
/// expression's own lock, so matching from several threads is safe.
final class GlibcRegex: @unchecked Sendable {
    private let regex: UnsafeMutablePointer<regex_t>

    private init(_ regex: UnsafeMutablePointer<regex_t>) { self.regex = regex }

    static func compile(_ pattern: String) -> Result<GlibcRegex, RegexError> {
        let regex = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)
        regex.initialize(to: regex_t())
        let status = regcomp(regex, pattern, REG_EXTENDED | REG_NOSUB)
        guard status == 0 else {
            var message = [CChar](repeating: 0, count: 128)
            regerror(status, regex, &message, message.count)
            regex.deallocate()
            return .failure(
                RegexError(
                    pattern: pattern, reason: String(decoding: message.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)))
        }
        return .success(GlibcRegex(regex))
    }

    deinit {
        regfree(regex)
        regex.deallocate()
    }

    /// Whether the expression matches somewhere in `s` (up to a NUL, as C sees the string).
    /// `withCString`: passing the String directly would copy it to a new array on every call.
    func matches(_ s: String) -> Bool { s.withCString { regexec(regex, $0, 0, nil, 0) == 0 } }
}
