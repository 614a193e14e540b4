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
/// map, the key as `0x` and 16 hex digits (`0X` when APTPL is set); a removed key's line is commented out
/// by turning its first character into `#`, as 0.9.4 does in place.
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

    /// `text` nil or empty: a new file, which gets the header.
    public init(_ text: String?) {
        self.text = (text ?? "").isEmpty ? Self.header : text!
    }

    private var lines: [Substring] { text.split(separator: "\n", omittingEmptySubsequences: false) }

    /// The index of the live line for `wwid`.
    private func line(of wwid: String) -> Int? {
        lines.firstIndex { l in
            let fields = l.split(separator: " ")
            return !l.hasPrefix("#") && fields.count == 2 && fields[1] == wwid
        }
    }

    public func key(for wwid: String) -> PRKey? {
        guard let i = line(of: wwid) else { return nil }
        let keyText = lines[i].split(separator: " ")[0]
        guard var key = PRKey(parsing: keyText) else { return nil }
        key.aptpl = keyText.hasPrefix("0X")
        return key
    }

    /// Sets (or with nil, comments out) the key of `wwid`.
    public mutating func set(_ key: PRKey?, for wwid: String) {
        var l = lines.map(String.init)
        let existing = line(of: wwid)
        if let key {
            let hex = String(key.value, radix: 16)
            let entry = (key.aptpl ? "0X" : "0x") + String(repeating: "0", count: 16 - hex.count) + hex + " " + wwid
            if let i = existing { l[i] = entry } else { l.insert(entry, at: l.last == "" ? l.count - 1 : l.count) }
        } else if let i = existing {
            l[i] = "#" + l[i].dropFirst()
        }
        text = l.joined(separator: "\n")
    }
}
