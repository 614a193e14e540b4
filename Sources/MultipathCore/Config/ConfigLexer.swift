/// Splits multipath.conf text into lines of tokens, as multipath-tools 0.9.4 reads it:
/// - one statement per line; a line is at most 1023 bytes (longer lines continue as the next line number,
///   as `fgets` into a 1024-byte buffer does) and ends at the first CR or LF;
/// - tokens split on whitespace (bytes outside ASCII count as whitespace); `{` and `}` are tokens even
///   without spaces around them;
/// - `"..."` is one token in which `""` stands for a quote; an unterminated quote takes the rest of the line;
/// - outside quotes, `#` and `!` start a comment.
public enum ConfigLexer {
    public static let maximumLineBytes = 1023

    public struct Token: Hashable, Sendable {
        public enum Kind: Hashable, Sendable {
            case word
            /// A double-quoted string; `terminated` is false when the line ended first.
            case quoted(terminated: Bool)
            case open
            case close
        }
        public var kind: Kind
        public var text: String
    }

    public struct Line: Hashable, Sendable {
        public var number: Int
        public var tokens: [Token]
        /// True when this line is the continuation of a physical line longer than `maximumLineBytes`.
        public var isContinuation: Bool
    }

    /// The lines that hold at least one token.
    public static func lines(_ text: String) -> [Line] {
        var result: [Line] = []
        var number = 0
        for physical in Array(text.utf8).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            var start = physical.startIndex
            var first = true
            repeat {
                let end = min(start + maximumLineBytes, physical.endIndex)
                number += 1
                var chunk = physical[start..<end]
                if let cr = chunk.firstIndex(of: UInt8(ascii: "\r")) { chunk = chunk[..<cr] }
                let tokens = tokenize(chunk)
                if !tokens.isEmpty { result.append(Line(number: number, tokens: tokens, isContinuation: !first)) }
                start = end
                first = false
            } while start < physical.endIndex
        }
        return result
    }

    static func tokenize(_ bytes: ArraySlice<UInt8>) -> [Token] {
        var tokens: [Token] = []
        var i = bytes.startIndex
        func isBlank(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) || b >= 0x80 || b == 0 }
        func isComment(_ b: UInt8) -> Bool { b == UInt8(ascii: "#") || b == UInt8(ascii: "!") }
        while true {
            while i < bytes.endIndex, isBlank(bytes[i]) { i += 1 }
            guard i < bytes.endIndex, !isComment(bytes[i]) else { return tokens }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                tokens.append(Token(kind: .open, text: "{"))
                i += 1
            case UInt8(ascii: "}"):
                tokens.append(Token(kind: .close, text: "}"))
                i += 1
            case UInt8(ascii: "\""):
                i += 1
                var text: [UInt8] = []
                var terminated = false
                while i < bytes.endIndex {
                    if bytes[i] == UInt8(ascii: "\"") {
                        if i + 1 < bytes.endIndex, bytes[i + 1] == UInt8(ascii: "\"") {
                            text.append(bytes[i])
                            i += 2
                            continue
                        }
                        terminated = true
                        i += 1
                        break
                    }
                    text.append(bytes[i])
                    i += 1
                }
                tokens.append(Token(kind: .quoted(terminated: terminated), text: String(decoding: text, as: UTF8.self)))
            default:
                let start = i
                while i < bytes.endIndex, !isBlank(bytes[i]), !isComment(bytes[i]),
                    bytes[i] != UInt8(ascii: "{"), bytes[i] != UInt8(ascii: "}"), bytes[i] != UInt8(ascii: "\"")
                {
                    i += 1
                }
                tokens.append(Token(kind: .word, text: String(decoding: bytes[start..<i], as: UTF8.self)))
            }
        }
    }
}
