import Glibc

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

    /// libc's `memchr` and `memcmp` do the search: the device table's vendors are tried against every path,
    /// several times per path setup.
    func matches(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { subject in words.contains { occurs($0, in: subject) } }
    }

    private func occurs(_ word: [UInt8], in subject: UnsafeBufferPointer<UInt8>) -> Bool {
        guard word.count <= subject.count else { return false }
        let slack = subject.count - word.count
        // With both anchors the word is the whole subject.
        if anchored && anchoredAtEnd && slack > 0 { return false }
        // An empty word matches wherever it may (and an empty subject may have no address).
        guard !word.isEmpty, let base = subject.baseAddress else { return true }
        switch (anchored, anchoredAtEnd) {
        case (true, _): return memcmp(base, word, word.count) == 0
        case (false, true): return memcmp(base + slack, word, word.count) == 0
        case (false, false):
            // Each place the first byte occurs, up to the last start that leaves room for the word.
            var start = base
            while start <= base + slack, let hit = memchr(start, Int32(word[0]), base + slack - start + 1) {
                let candidate = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(candidate, word, word.count) == 0 { return true }
                start = candidate + 1
            }
            return false
        }
    }
}
