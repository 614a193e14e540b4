/// A compiled POSIX extended regular expression, asked only whether it matches somewhere in a string, as
/// 0.9.4 uses `regexec` on expressions compiled with `REG_EXTENDED|REG_NOSUB`.
public struct ConfigRegex: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    private let test: @Sendable (String) -> Bool

    public init(pattern: String, matches: @escaping @Sendable (String) -> Bool) {
        self.pattern = pattern
        self.test = matches
    }

    public func matches(_ s: String) -> Bool { test(s) }

    public var description: String { pattern }
    public static func == (a: ConfigRegex, b: ConfigRegex) -> Bool { a.pattern == b.pattern }
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }
}

/// Why an expression was refused when the configuration was loaded.
public struct RegexError: Error, Hashable, Sendable, CustomStringConvertible {
    public var pattern: String
    public var reason: String
    public init(pattern: String, reason: String) {
        self.pattern = pattern
        self.reason = reason
    }
    public var description: String { "invalid regular expression \"\(pattern)\": \(reason)" }
}

/// Compiles the expressions of a configuration (blacklists, device entries) once per load. The daemon hands
/// in glibc's `regcomp`, so that a pattern means what it means to 0.9.4; the core itself compiles nothing.
public struct RegexEngine: Sendable {
    public let compile: @Sendable (String) -> Result<ConfigRegex, RegexError>
    /// The built-in device table compiled once, when the engine is made: every load and reconfigure
    /// starts from it instead of compiling its few hundred expressions again.
    let builtinHardware: [HardwareEntry]

    public init(compile: @escaping @Sendable (String) -> Result<ConfigRegex, RegexError>) {
        self.compile = compile
        builtinHardware = ConfigLoader.builtinHardware.map { entry in
            var compiled = entry
            compiled.compile(compile)
            return compiled
        }
    }
}
