/// A persistent reservation key with its APTPL flag, as `mpathpersist` registers it.
public struct PRKey: Hashable, Sendable, CustomStringConvertible {
    public var value: UInt64
    /// "Activate persist through power loss": `:aptpl` after the key, `0X` in the prkeys file.
    public var aptpl: Bool

    public init(value: UInt64, aptpl: Bool = false) {
        self.value = value
        self.aptpl = aptpl
    }

    /// 0.9.4's parse_prkey_flags: an optional `0x`, 1 to 16 hex digits, an optional `:aptpl`.
    public init?(parsing text: some StringProtocol) {
        var digits = Substring(text)
        var aptpl = false
        if let colon = digits.firstIndex(of: ":") {
            aptpl = digits[digits.index(after: colon)...] == "aptpl"
            digits = digits[..<colon]
        }
        if digits.hasPrefix("0") { digits = digits.dropFirst() }
        if digits.hasPrefix("x") || digits.hasPrefix("X") { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 16, let v = UInt64(digits, radix: 16) else { return nil }
        self.init(value: v, aptpl: aptpl)
    }

    /// As `getprkey` prints it: `0x1234` or `0x1234:aptpl`.
    public var description: String { "0x\(String(value, radix: 16))\(aptpl ? ":aptpl" : "")" }
}

/// The prkeys file (`prkeys_file`, /etc/multipath/prkeys) in 0.9.4's format: one `<key> <wwid>` line per
/// map, the key as `0x` and 16 hex digits (`0X` when APTPL is set). A map's line is the first one that
/// ends in its WWID, commented out or not, as 0.9.4 finds it: unsetting turns its first byte into `#`,
/// setting again rewrites that line in place; a WWID without a line gets one at the end.
public struct PRKeysFile: Hashable, Sendable {
    public private(set) var text: String

    public static let header = """
        # Multipath persistent reservation keys, Version : 1.0
        # NOTE: this file is automatically maintained by the multipathd program.
        # You should not need to edit this file in normal circumstances.
        #
        # Format:
        # prkey wwid
        #

        """

    /// The key field's length: `0x` and 16 hex digits.
    private static let keyLength = 18

    /// `text` nil or empty: a new file, which gets the header.
    public init(_ text: String?) {
        self.text = (text ?? "").isEmpty ? Self.header : text!
    }

    /// The byte offset of the line for `wwid`: `<key> <wwid>\n` at the start of a line. Bytes, so that a
    /// CRLF line is one that does not end in the WWID (0.9.4 wants `\n` right after it).
    private func lineStart(of wwid: String, in bytes: [UInt8]) -> Int? {
        let needle = [UInt8(ascii: " ")] + Array(wwid.utf8) + [UInt8(ascii: "\n")]
        let newline = UInt8(ascii: "\n")
        var i = Self.keyLength
        while i + needle.count <= bytes.count {
            let start = i - Self.keyLength
            if bytes[i..<i + needle.count].elementsEqual(needle) && (start == 0 || bytes[start - 1] == newline) { return start }
            i += 1
        }
        return nil
    }

    public func key(for wwid: String) -> PRKey? {
        let bytes = Array(text.utf8)
        guard let start = lineStart(of: wwid, in: bytes), bytes[start] != UInt8(ascii: "#") else { return nil }
        let keyText = String(decoding: bytes[start..<start + Self.keyLength], as: UTF8.self)
        guard var key = PRKey(parsing: keyText) else { return nil }
        key.aptpl = keyText.hasPrefix("0X")
        return key
    }

    /// Sets (or with nil, comments out) the key of `wwid`.
    public mutating func set(_ key: PRKey?, for wwid: String) {
        var bytes = Array(text.utf8)
        let existing = lineStart(of: wwid, in: bytes)
        if let key {
            let hex = String(key.value, radix: 16)
            let field = Array(((key.aptpl ? "0X" : "0x") + String(repeating: "0", count: 16 - hex.count) + hex).utf8)
            if let start = existing {
                bytes.replaceSubrange(start..<start + Self.keyLength, with: field)
            } else {
                bytes += field + Array(" \(wwid)\n".utf8)
            }
        } else if let start = existing {
            bytes[start] = UInt8(ascii: "#")
        }
        text = String(decoding: bytes, as: UTF8.self)
    }
}
