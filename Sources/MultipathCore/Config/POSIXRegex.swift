/// A POSIX extended regular expression (regex(7)), matched as multipath-tools uses `regexec` with
/// `REG_EXTENDED|REG_NOSUB`: case sensitive, unanchored, only "does it match" is asked.
///
/// Supports alternation, groups, bracket expressions (ranges, `[:class:]`, negation), `.`, `*`, `+`, `?`,
/// `{m}`, `{m,}`, `{m,n}`, `^`, `$`, and escapes (plus GNU `\w \W \s \S`). Bytes are matched as bytes,
/// as glibc does in the C locale. Back-references are rejected (not ERE).
public struct POSIXRegex: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    /// One reference, so that copying an expression (table entries hold three) costs one retain.
    private let compiled: Compiled

    private final class Compiled: Sendable {
        let program: [Node]
        /// A pattern without any special character is matched by substring search (most table entries).
        let literal: [UInt8]?
        /// Strings of which at least one must occur for a match: a cheap test before backtracking.
        let required: [[UInt8]]
        init(program: [Node], literal: [UInt8]?, required: [[UInt8]]) {
            self.program = program
            self.literal = literal
            self.required = required
        }
    }

    public struct SyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
        public var pattern: String
        public var reason: String
        public var description: String { "invalid regular expression \"\(pattern)\": \(reason)" }
    }

    public init(_ pattern: String) throws(SyntaxError) {
        self.pattern = pattern
        var parser = Parser(bytes: Array(pattern.utf8))
        let program: [Node]
        do throws(Parser.Failure) {
            let alternatives = try parser.parseAlternation()
            if parser.index < parser.bytes.count { throw Parser.Failure("unmatched )") }
            program = alternatives.count == 1 ? alternatives[0] : [.group(alternatives)]
        } catch {
            throw SyntaxError(pattern: pattern, reason: error.reason)
        }
        var bytes: [UInt8]? = []
        for node in program {
            guard case .byte(let b) = node else {
                bytes = nil
                break
            }
            bytes?.append(b)
        }
        compiled = Compiled(program: program, literal: bytes, required: Self.requiredLiterals(program))
    }

    /// The longest run of literal bytes that every match contains; failing that, one such run per
    /// alternative of a mandatory group. Empty when nothing is required.
    private static func requiredLiterals(_ sequence: [Node]) -> [[UInt8]] {
        var best: [UInt8] = [], run: [UInt8] = []
        for node in sequence {
            if case .byte(let b) = node {
                run.append(b)
                if run.count > best.count { best = run }
            } else {
                run = []
            }
        }
        if !best.isEmpty { return [best] }
        for node in sequence {
            guard case .group(let alternatives) = node else { continue }
            let each = alternatives.map { requiredLiterals($0) }
            if each.allSatisfy({ $0.count == 1 }) { return each.map { $0[0] } }
        }
        return []
    }

    private static func contains(_ s: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        guard s.count >= needle.count else { return false }
        let first = needle[0]
        outer: for start in 0...(s.count - needle.count) where s[start] == first {
            for k in 1..<needle.count where s[start + k] != needle[k] { continue outer }
            return true
        }
        return false
    }

    public var description: String { pattern }

    public static func == (a: POSIXRegex, b: POSIXRegex) -> Bool { a.pattern == b.pattern }
    public func hash(into h: inout Hasher) { h.combine(pattern) }

    /// Whether the expression matches anywhere in `text`.
    public func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { matches(utf8: $0) }
    }

    /// The same, on UTF-8 bytes (the caller converts a string once for many expressions).
    public func matches(utf8 s: UnsafeBufferPointer<UInt8>) -> Bool {
        let c = compiled
        if let literal = c.literal { return Self.contains(s, literal) }
        if !c.required.isEmpty, !c.required.contains(where: { Self.contains(s, $0) }) { return false }
        let program = c.program
        let m = Matcher(s: s)
        if case .start = program.first {
            return m.sequence(program[...], 0) { _ in true }
        }
        for start in 0...s.count where m.sequence(program[...], start, { _ in true }) { return true }
        return false
    }

    fileprivate indirect enum Node: Sendable {
        case byte(UInt8)
        case any
        case set(ByteSet)
        case start
        case end
        case group([[Node]])
        case repetition(Node, min: Int, max: Int?)
    }

    fileprivate struct ByteSet: Sendable {
        var bits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        mutating func insert(_ b: UInt8) {
            let bit = UInt64(1) << UInt64(b & 63)
            switch b >> 6 {
            case 0: bits.0 |= bit
            case 1: bits.1 |= bit
            case 2: bits.2 |= bit
            default: bits.3 |= bit
            }
        }
        func contains(_ b: UInt8) -> Bool {
            let word: UInt64 =
                switch b >> 6 {
                case 0: bits.0
                case 1: bits.1
                case 2: bits.2
                default: bits.3
                }
            return word & (UInt64(1) << UInt64(b & 63)) != 0
        }
        mutating func invert() { bits = (~bits.0, ~bits.1, ~bits.2, ~bits.3) }
        static func of(_ test: (UInt8) -> Bool) -> ByteSet {
            var s = ByteSet()
            for b in 0...255 where test(UInt8(b)) { s.insert(UInt8(b)) }
            return s
        }
    }

    private struct Matcher {
        let s: UnsafeBufferPointer<UInt8>

        /// Backtracking: matches `nodes` at `i`, then asks `next` about the rest.
        func sequence(_ nodes: ArraySlice<Node>, _ i: Int, _ next: (Int) -> Bool) -> Bool {
            guard let first = nodes.first else { return next(i) }
            let rest = nodes.dropFirst()
            return one(first, i) { j in self.sequence(rest, j, next) }
        }

        func one(_ node: Node, _ i: Int, _ next: (Int) -> Bool) -> Bool {
            switch node {
            case .byte(let b): return i < s.count && s[i] == b && next(i + 1)
            case .any: return i < s.count && s[i] != 0x0A && next(i + 1)
            case .set(let set): return i < s.count && set.contains(s[i]) && next(i + 1)
            case .start: return i == 0 && next(i)
            case .end: return i == s.count && next(i)
            case .group(let alternatives):
                for alternative in alternatives where sequence(alternative[...], i, next) { return true }
                return false
            case .repetition(let inner, let min, let max):
                return repeated(inner, min: min, max: max, count: 0, i, next)
            }
        }

        func repeated(_ node: Node, min: Int, max: Int?, count: Int, _ i: Int, _ next: (Int) -> Bool) -> Bool {
            if max.map({ count < $0 }) ?? true {
                // An iteration that consumes nothing cannot help and would loop forever.
                let more = one(node, i) { j in
                    (j > i || count < min) && self.repeated(node, min: min, max: max, count: count + 1, j, next)
                }
                if more { return true }
            }
            return count >= min && next(i)
        }
    }

    private struct Parser {
        struct Failure: Error {
            var reason: String
            init(_ r: String) { reason = r }
        }
        let bytes: [UInt8]
        var index = 0

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func parseAlternation() throws(Failure) -> [[Node]] {
            var alternatives = [try parseSequence()]
            while peek == UInt8(ascii: "|") {
                index += 1
                alternatives.append(try parseSequence())
            }
            return alternatives
        }

        mutating func parseSequence() throws(Failure) -> [Node] {
            var nodes: [Node] = []
            while let c = peek, c != UInt8(ascii: "|"), c != UInt8(ascii: ")") {
                index += 1
                var atom: Node
                switch c {
                case UInt8(ascii: "("):
                    let inner = try parseAlternation()
                    guard peek == UInt8(ascii: ")") else { throw Failure("unmatched (") }
                    index += 1
                    atom = .group(inner)
                case UInt8(ascii: "["): atom = .set(try parseBracket())
                case UInt8(ascii: "."): atom = .any
                case UInt8(ascii: "^"): atom = .start
                case UInt8(ascii: "$"): atom = .end
                case UInt8(ascii: "\\"): atom = try parseEscape()
                case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
                    // Nothing to repeat: glibc takes a leading quantifier literally.
                    atom = .byte(c)
                default: atom = .byte(c)
                }
                while let q = peek {
                    let bounds: (Int, Int?)?
                    switch q {
                    case UInt8(ascii: "*"): bounds = (0, nil)
                    case UInt8(ascii: "+"): bounds = (1, nil)
                    case UInt8(ascii: "?"): bounds = (0, 1)
                    case UInt8(ascii: "{"): bounds = try parseBounds()
                    default: bounds = nil
                    }
                    guard let bounds else { break }
                    if q != UInt8(ascii: "{") { index += 1 }
                    atom = .repetition(atom, min: bounds.0, max: bounds.1)
                }
                nodes.append(atom)
            }
            return nodes
        }

        /// `{m}`, `{m,}`, `{m,n}`; nil (and nothing consumed) when `{` does not start a bound.
        mutating func parseBounds() throws(Failure) -> (Int, Int?)? {
            var j = index + 1
            func number() -> Int? {
                var n: Int?
                while j < bytes.count, bytes[j] >= UInt8(ascii: "0"), bytes[j] <= UInt8(ascii: "9") {
                    n = (n ?? 0) * 10 + Int(bytes[j] - UInt8(ascii: "0"))
                    if n! > 255 { return nil }
                    j += 1
                }
                return n
            }
            guard let low = number() else { return nil }
            var high: Int? = low
            if j < bytes.count, bytes[j] == UInt8(ascii: ",") {
                j += 1
                high = number()
            }
            guard j < bytes.count, bytes[j] == UInt8(ascii: "}") else { throw Failure("unterminated {") }
            if let high, high < low { throw Failure("invalid bound {\(low),\(high)}") }
            index = j + 1
            return (low, high)
        }

        mutating func parseEscape() throws(Failure) -> Node {
            guard let c = peek else { throw Failure("trailing backslash") }
            index += 1
            switch c {
            case UInt8(ascii: "w"): return .set(.of(Self.isWord))
            case UInt8(ascii: "W"): return .set(.of { !Self.isWord($0) })
            case UInt8(ascii: "s"): return .set(.of(Self.isSpace))
            case UInt8(ascii: "S"): return .set(.of { !Self.isSpace($0) })
            case UInt8(ascii: "1")...UInt8(ascii: "9"): throw Failure("back-references are not supported")
            default: return .byte(c)
            }
        }

        mutating func parseBracket() throws(Failure) -> ByteSet {
            var set = ByteSet()
            var negate = false
            if peek == UInt8(ascii: "^") {
                negate = true
                index += 1
            }
            var first = true
            while true {
                guard let c = peek else { throw Failure("unterminated [") }
                if c == UInt8(ascii: "]") && !first {
                    index += 1
                    break
                }
                first = false
                if c == UInt8(ascii: "["), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ":") {
                    guard let close = findClassEnd(from: index + 2) else { throw Failure("unterminated [:") }
                    let name = String(decoding: bytes[(index + 2)..<close], as: UTF8.self)
                    guard let test = Self.characterClasses[name] else { throw Failure("unknown class [:\(name):]") }
                    for b in 0...255 where test(UInt8(b)) { set.insert(UInt8(b)) }
                    index = close + 2
                    continue
                }
                index += 1
                if peek == UInt8(ascii: "-"), index + 1 < bytes.count, bytes[index + 1] != UInt8(ascii: "]") {
                    let high = bytes[index + 1]
                    guard high >= c else { throw Failure("invalid range") }
                    for b in c...high { set.insert(b) }
                    index += 2
                } else {
                    set.insert(c)
                }
            }
            if negate { set.invert() }
            return set
        }

        func findClassEnd(from start: Int) -> Int? {
            var j = start
            while j + 1 < bytes.count {
                if bytes[j] == UInt8(ascii: ":") && bytes[j + 1] == UInt8(ascii: "]") { return j }
                j += 1
            }
            return nil
        }

        static func isWord(_ b: UInt8) -> Bool { isAlnum(b) || b == UInt8(ascii: "_") }
        static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }
        static func isAlnum(_ b: UInt8) -> Bool { isAlpha(b) || isDigit(b) }
        static func isAlpha(_ b: UInt8) -> Bool { (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) }
        static func isDigit(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) }

        static let characterClasses: [String: @Sendable (UInt8) -> Bool] = [
            "alpha": isAlpha, "digit": isDigit, "alnum": isAlnum, "space": isSpace,
            "upper": { (0x41...0x5A).contains($0) }, "lower": { (0x61...0x7A).contains($0) },
            "xdigit": { isDigit($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) },
            "punct": { (0x21...0x7E).contains($0) && !isAlnum($0) },
            "print": { (0x20...0x7E).contains($0) }, "graph": { (0x21...0x7E).contains($0) },
            "cntrl": { $0 < 0x20 || $0 == 0x7F }, "blank": { $0 == 0x20 || $0 == 0x09 }
        ]
    }
}
