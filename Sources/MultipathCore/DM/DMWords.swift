/// Why a device-mapper table or status line could not be read: which word, what was expected there.
public struct DMTextError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Zero-based index of the offending word in the whitespace-split text.
    public var wordIndex: Int
    /// What the parser wanted at that word, e.g. "number of paths".
    public var expected: String
    /// The word found, nil when the text ended early.
    public var found: String?

    public init(wordIndex: Int, expected: String, found: String?) {
        self.wordIndex = wordIndex
        self.expected = expected
        self.found = found
    }

    public var description: String {
        if let found { return "word \(wordIndex + 1): expected \(expected), found '\(found)'" }
        return "word \(wordIndex + 1): expected \(expected), found end of text"
    }
}

/// A cursor over the words of a DM parameter string. The kernel separates words with single spaces
/// and leaves one at the end; any run of spaces, tabs or newlines is accepted here. Split on scalars, as
/// the kernel splits bytes: a `Character` would join a blank and a combining mark after it into one.
struct DMWordReader {
    private let words: [Substring]
    private var index = 0

    init(_ text: some StringProtocol) {
        words = Substring(text).unicodeScalars.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(Substring.init)
    }

    mutating func word(_ expected: String) throws(DMTextError) -> String {
        guard index < words.count else { throw DMTextError(wordIndex: index, expected: expected, found: nil) }
        defer { index += 1 }
        return String(words[index])
    }

    /// The next word converted by `convert`; a word it rejects is an error at that word.
    mutating func word<T>(_ expected: String, _ convert: (String) -> T?) throws(DMTextError) -> T {
        let at = index
        let w = try word(expected)
        guard let v = convert(w) else { throw DMTextError(wordIndex: at, expected: expected, found: w) }
        return v
    }

    mutating func count(_ expected: String) throws(DMTextError) -> Int {
        try word(expected) { w in Int(w).flatMap { $0 >= 0 ? $0 : nil } }
    }

    mutating func words(_ n: Int, _ expected: String) throws(DMTextError) -> [String] {
        // A count from the text is checked against the words left before anything is sized by it.
        guard n <= words.count - index else { throw DMTextError(wordIndex: words.count, expected: expected, found: nil) }
        var out: [String] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try word(expected)) }
        return out
    }

    /// A count followed by that many words (`2 queue_if_no_path retain_attached_hw_handler`).
    mutating func countedWords(_ expected: String) throws(DMTextError) -> [String] {
        let n = try count("number of \(expected)")
        return try words(n, expected)
    }

    func end() throws(DMTextError) {
        if index < words.count { throw DMTextError(wordIndex: index, expected: "end of text", found: String(words[index])) }
    }
}

/// Builds a DM parameter string: words joined by single spaces, no trailing space.
struct DMWordWriter {
    private(set) var text = ""

    mutating func append(_ word: some CustomStringConvertible) {
        if !text.isEmpty { text += " " }
        text += word.description
    }

    mutating func append(contentsOf words: [String]) {
        for w in words { append(w) }
    }

    mutating func appendCounted(_ words: [String]) {
        append(words.count)
        append(contentsOf: words)
    }
}
