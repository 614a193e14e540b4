/// A pattern that only names words: `VV`, `^DGC`, `(COMPAQ|HP)`, `^(sd|vd)`. Most device table and blacklist
/// entries are such; regexec's answer for them is a substring search (a prefix one after `^`), done here without
/// regexec's setup on every call. `GlibcRegexTests` checks that both answers agree.
struct LiteralPattern: Sendable {
    let anchored: Bool
    let words: [[UInt8]]

    /// The bytes that mean something in an ERE.
    static let special = Set(".[]()*+?{}|^$\\".utf8)

    /// Nil when the pattern is more than that.
    init?(_ pattern: String) {
        var bytes = Array(pattern.utf8)[...]
        anchored = bytes.first == UInt8(ascii: "^")
        if anchored { bytes = bytes.dropFirst() }
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
                let starts = anchored ? 0...0 : 0...bytes.count - word.count
                return starts.contains { start in word.indices.allSatisfy { bytes[start + $0] == word[$0] } }
            }
        }
    }
}
