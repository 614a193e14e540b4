/// What glibc's regex compiler cannot take: it recurses per nesting level (a few thousand levels overflow the
/// stack), copies the operand of `{m,n}` n times (so `((a{255}){255}){255}` is 16 million nodes), and its
/// epsilon closures grow with the square of the optional copies (`(){255}{255}` overflows the stack,
/// `a{0,10000}` takes 800 MB). Measured on glibc 2.36: 1,000 optional copies take 10 MB and 20 ms,
/// 65,000 nodes 15 MB and 20 ms. Patterns past these bounds are refused at load, with a reason; anything
/// multipath.conf needs is far inside them. Back-references (a GNU extension, not ERE) are refused too:
/// they make matching exponential and have crashed glibc (`(|)(\1\1)*`).
enum RegexLimits {
    static let maxDepth = 50
    static let maxNodes = 100_000
    static let maxOptionalCopies = 1_000
    /// Ways to match empty that glibc must follow, from an anchor above all: each alternative past the first
    /// that matches empty, each copy past the first that a repetition makes of a part that matches empty
    /// (`(a?){3}` two), and each `*`, `+` or `{m,}` of such a part. Measured on glibc 2.36: the time grows
    /// with the cube of the first kinds and doubles with each of the last (`^(a?|b?){300}$` 5 s,
    /// `^((a?|b?)*){16}$` over 10 s, `^(||||){922}...$` over 10 s, `(){5}{5}++++` 2.5 s, found by
    /// Fuzz/FuzzRegex; `^(()?){2,10}()*{4,}` 0.4 s). A pattern multipath.conf needs has none (`^(sd|vd|)`
    /// has none); 8 keep every shape tried, and the several thousand of a generator of such patterns, under
    /// 100 ms.
    static let maxEmptyChoices = 8
    /// Copying repetitions (`+`, `{m,n}` with n > 1, `{m,}`) of a part that matches empty, nested: `(a*){3}`
    /// is one level, `a*{3,12}{4,}` two (`*` and `?` make no copies). Each level multiplies glibc's work
    /// (`^b{0,1}{0,5}{0,3}+{0,8}$` over 3 s).
    static let maxEmptyRepetitionDepth = 1
    // And a loop (`*`, `+`, `{m,}`) is refused over a part that matches empty and holds empty alternatives
    // or copying repetitions of its own (`^(b*[ab]*?{0,13}|()*{2})?**` over 3 s); `((.*)*)*` is cheap.

    /// Why `pattern` is refused, or nil when glibc may compile it.
    static func refusal(_ pattern: String) -> String? {
        var scanner = Scanner(bytes: Array(pattern.utf8))
        return scanner.run()
    }

    /// Size of a subexpression once glibc has expanded its repetitions.
    struct Cost {
        var nodes = 0
        var optional = 0
        /// Empty-matching choices (`maxEmptyChoices`) made by alternatives and copies, and those made by loops.
        var emptyBranches = 0
        var emptyLoops = 0
        var emptyRepetitionDepth = 0
        var loopsOverEmptyChoices = false
        var nullable = true

        static let atom = Cost(nodes: 1, nullable: false)
        static let anchor = Cost(nodes: 1, nullable: true)

        var emptyChoices: Int { add(emptyBranches, emptyLoops) }

        func followed(by next: Cost) -> Cost { combined(with: next, nullable: nullable && next.nullable) }

        func or(_ other: Cost) -> Cost { combined(with: other, nullable: nullable || other.nullable) }

        /// A sequence or an alternation of the two: only whether it matches empty differs.
        private func combined(with other: Cost, nullable: Bool) -> Cost {
            Cost(
                nodes: add(nodes, other.nodes), optional: add(optional, other.optional),
                emptyBranches: add(emptyBranches, other.emptyBranches), emptyLoops: add(emptyLoops, other.emptyLoops),
                emptyRepetitionDepth: Swift.max(emptyRepetitionDepth, other.emptyRepetitionDepth),
                loopsOverEmptyChoices: loopsOverEmptyChoices || other.loopsOverEmptyChoices, nullable: nullable)
        }

        /// `{min,max}`; max nil is unbounded (glibc: min copies, then one starred copy).
        func repeated(min: Int, max: Int?) -> Cost {
            let copies = Swift.max(max ?? min + 1, 1)
            let optionalCopies = nullable ? copies : max.map { Swift.max($0 - min, 0) } ?? 1
            let emptyCopies = nullable ? copies - 1 : 0
            let loop = max == nil && nullable
            return Cost(
                nodes: add(times(nodes, copies), 1), optional: add(times(optional, copies), optionalCopies),
                emptyBranches: add(times(emptyBranches, copies), emptyCopies),
                emptyLoops: add(times(emptyLoops, copies), loop ? 1 : 0),
                emptyRepetitionDepth: emptyRepetitionDepth + (emptyCopies > 0 ? 1 : 0),
                loopsOverEmptyChoices: loopsOverEmptyChoices || (loop && (emptyBranches > 0 || emptyRepetitionDepth > 0)),
                nullable: nullable || min == 0)
        }

        /// This alternation's alternatives past the first that match empty.
        func withEmptyAlternatives(_ count: Int) -> Cost {
            var cost = self
            cost.emptyBranches = add(emptyBranches, Swift.max(count - 1, 0))
            return cost
        }

        private static let cap = Int(Int32.max)
        private func add(_ a: Int, _ b: Int) -> Int { Swift.min(a + b, Self.cap) }
        private func times(_ a: Int, _ b: Int) -> Int {
            let (p, overflow) = a.multipliedReportingOverflow(by: b)
            return overflow ? Self.cap : Swift.min(p, Self.cap)
        }
    }

    /// One open group: its finished alternatives (and how many of them match empty), the sequence being read,
    /// and that sequence's last atom (the one a repetition applies to).
    private struct Group {
        var alternatives: Cost?
        var emptyAlternatives = 0
        var sequence = Cost()
        var last: Cost?

        mutating func append(_ atom: Cost) {
            if let last { sequence = sequence.followed(by: last) }
            last = atom
        }

        /// At a `|`.
        mutating func nextAlternative() {
            let current = self.current
            self = Group(
                alternatives: alternatives.map { $0.or(current) } ?? current,
                emptyAlternatives: emptyAlternatives + (current.nullable ? 1 : 0))
        }

        private var current: Cost { last.map { sequence.followed(by: $0) } ?? sequence }

        var total: Cost {
            let current = self.current
            guard let alternatives else { return current }
            return alternatives.or(current).withEmptyAlternatives(emptyAlternatives + (current.nullable ? 1 : 0))
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var i = 0
        var groups = [Group()]

        mutating func run() -> String? {
            while i < bytes.count {
                let b = bytes[i]
                i += 1
                switch b {
                case UInt8(ascii: "\\"):
                    if i < bytes.count, (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(bytes[i]) {
                        return "back-references are not supported"
                    }
                    i += 1
                    groups[groups.count - 1].append(.atom)
                case UInt8(ascii: "["):
                    skipBracket()
                    groups[groups.count - 1].append(.atom)
                case UInt8(ascii: "("):
                    if groups.count > maxDepth { return "groups nested deeper than \(maxDepth)" }
                    groups.append(Group())
                case UInt8(ascii: ")") where groups.count > 1:
                    let inner = groups.removeLast().total
                    groups[groups.count - 1].append(inner)
                case UInt8(ascii: "|"): groups[groups.count - 1].nextAlternative()
                case UInt8(ascii: "*"): repeatLast(min: 0, max: nil)
                case UInt8(ascii: "+"): repeatLast(min: 1, max: nil)
                case UInt8(ascii: "?"): repeatLast(min: 0, max: 1)
                case UInt8(ascii: "{"):
                    if let (min, max) = interval() {
                        repeatLast(min: min, max: max)
                    } else {
                        groups[groups.count - 1].append(.atom)
                    }
                case UInt8(ascii: "^"), UInt8(ascii: "$"): groups[groups.count - 1].append(.anchor)
                default: groups[groups.count - 1].append(.atom)
                }
                if let reason = tooCostly() { return reason }
            }
            return nil
        }

        /// Checked on every step, so that an unclosed group is counted too.
        private func tooCostly() -> String? {
            let total = groups.reversed().reduce(Cost()) { inner, group in group.total.followed(by: inner) }
            if total.nodes > maxNodes { return "repetitions expand to more than \(maxNodes) nodes" }
            if total.optional > maxOptionalCopies { return "more than \(maxOptionalCopies) optional repetitions" }
            if total.emptyChoices > maxEmptyChoices { return "more than \(maxEmptyChoices) empty-matching choices" }
            if total.emptyRepetitionDepth > maxEmptyRepetitionDepth { return "a repetition of a repetition that matches empty" }
            if total.loopsOverEmptyChoices { return "a loop over a part with empty-matching choices or repetitions" }
            return nil
        }

        private mutating func repeatLast(min: Int, max: Int?) {
            // A repetition with nothing before it is glibc's error to report.
            guard let last = groups[groups.count - 1].last else { return }
            groups[groups.count - 1].last = last.repeated(min: min, max: max)
        }

        /// `{m}`, `{m,}`, `{,n}` or `{m,n}` after the `{`; nil (nothing consumed) when it is not one.
        private mutating func interval() -> (Int, Int?)? {
            var j = i
            func number() -> Int? {
                var n: Int?
                while j < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[j]) {
                    n = Swift.min((n ?? 0) * 10 + Int(bytes[j] - UInt8(ascii: "0")), 1 << 20)
                    j += 1
                }
                return n
            }
            let min = number()
            var max = min
            if j < bytes.count, bytes[j] == UInt8(ascii: ",") {
                j += 1
                max = number()
            }
            guard j < bytes.count, bytes[j] == UInt8(ascii: "}"), min != nil || max != nil else { return nil }
            i = j + 1
            return (min ?? 0, max)
        }

        /// Past the `]` that closes a bracket expression (`[]a]`, `[^]a]`, `[[:alpha:]]`, `[[.a.]]` included).
        private mutating func skipBracket() {
            if i < bytes.count, bytes[i] == UInt8(ascii: "^") { i += 1 }
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1 }
            while i < bytes.count, bytes[i] != UInt8(ascii: "]") {
                if bytes[i] == UInt8(ascii: "["), i + 1 < bytes.count,
                    [UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: "=")].contains(bytes[i + 1])
                {
                    let close = bytes[i + 1]
                    i += 2
                    while i + 1 < bytes.count, !(bytes[i] == close && bytes[i + 1] == UInt8(ascii: "]")) { i += 1 }
                    i += 2
                } else {
                    i += 1
                }
            }
            i += 1
        }
    }
}
