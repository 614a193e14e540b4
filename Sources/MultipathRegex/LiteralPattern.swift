/// A pattern that only names words: `VV`, `^DGC`, `(COMPAQ|HP)`, `^(sd|vd)`, `^3600a0980383030$`. Most device
/// table and blacklist entries are such; regexec's answer for them is a substring search (a prefix one after `^`,
/// a suffix one before `$`, equality with both), done here without regexec's setup on every call: "blacklist
/// everything, one exception per LUN" as `wwid "^WWID$"` costs regexec about 8 us an entry for every path judged.
/// `GlibcRegexTests` checks that both answers agree.
struct LiteralPattern: Sendable {
    let anchored: Bool
    let anchoredAtEnd: Bool
    let words: [[UInt8]]

    /// The bytes that mean something in an ERE.
    static let special = Set(".[]()*+?{}|^$\\".utf8)

    /// Nil when the pattern is more than that.
    init?(_ pattern: String) {
        var bytes = Array(pattern.utf8)[...]
        anchored = bytes.first == UInt8(ascii: "^")
        if anchored { bytes = bytes.dropFirst() }
        anchoredAtEnd = bytes.last == UInt8(ascii: "$")
        if anchoredAtEnd { bytes = bytes.dropLast() }
        let grouped = bytes.count >= 2 && bytes.first == UInt8(ascii: "(") && bytes.last == UInt8(ascii: ")")
        if grouped { bytes = bytes.dropFirst().dropLast() }
        let words = bytes.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false)
        guard grouped || words.count == 1, !words.joined().contains(where: Self.special.contains) else { return nil }
        self.words = words.map(Array.init)
    }

    func matches(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { bytes in
            words.contains { word in
                guard word.count <= bytes.count else { return false }
                let last = bytes.count - word.count
                let first = anchoredAtEnd ? last : 0
                guard first <= (anchored ? 0 : last) else { return false }
                return (first...(anchored ? 0 : last)).contains { start in word.indices.allSatisfy { bytes[start + $0] == word[$0] } }
            }
        }
    }
}
