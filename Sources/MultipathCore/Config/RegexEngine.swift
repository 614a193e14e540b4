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
    private let compileNew: @Sendable (String) -> Result<ConfigRegex, RegexError>
    /// The built-in device table compiled once, when the engine is made: every load and reconfigure
    /// starts from it instead of compiling its few hundred expressions again.
    let builtinHardware: [HardwareEntry]
    /// The built-in blacklist's expressions (its rules, the table's product_blacklist pairs), likewise.
    private let builtinBlacklist: [String: Result<ConfigRegex, RegexError>]

    public init(compile: @escaping @Sendable (String) -> Result<ConfigRegex, RegexError>) {
        compileNew = compile
        builtinHardware = ConfigLoader.builtinHardware.map { entry in
            var compiled = entry
            compiled.compile(compile)
            return compiled
        }
        let patterns =
            [Blacklist.defaultDevnode, Blacklist.defaultPropertyException]
            + ConfigLoader.builtinHardware.flatMap { e in
                e.string(.product_blacklist).map { [e.string(.vendor), $0].compactMap { $0 } } ?? []
            }
        builtinBlacklist = Dictionary(
            patterns.map(Blacklist.Rule.expression).map { ($0, compile($0)) }, uniquingKeysWith: { first, _ in first })
    }

    public func compile(_ pattern: String) -> Result<ConfigRegex, RegexError> { builtinBlacklist[pattern] ?? compileNew(pattern) }
}
