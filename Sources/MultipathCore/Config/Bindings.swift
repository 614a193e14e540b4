/// The bindings file (`/etc/multipath/bindings`): `alias wwid` per line, `#` comments, as 0.9.4 writes it.
public struct Bindings: Sendable, Hashable {
    public struct Binding: Hashable, Sendable {
        public var alias: String
        public var wwid: String
    }

    public private(set) var bindings: [Binding] = []
    /// Set by `-B`: existing names are used, no new ones are written.
    public var readOnly: Bool
    /// Counts the changes, so that a caller sees one without comparing (or copying) the list.
    public private(set) var revision = 0
    /// The same bindings by alias and by WWID, and per prefix an id below which every name is bound:
    /// naming thousands of maps stays linear.
    private var wwidOfAlias: [String: String] = [:]
    private var aliasOfWWID: [String: String] = [:]
    private var firstUnbound: [String: Int] = [:]

    public static let header = """
        # Multipath bindings, Version : 1.0
        # NOTE: this file is automatically maintained by the multipath program.
        # You should not need to edit this file in normal circumstances.
        #
        # Format:
        # alias wwid
        #

        """

    public init(readOnly: Bool = false) { self.readOnly = readOnly }

    /// Parses the file. Lines that are malformed, or that repeat an alias or a WWID already bound,
    /// are skipped and reported (the first binding stays).
    public static func parse(_ text: String, file: String = "/etc/multipath/bindings", readOnly: Bool = false)
        -> (Bindings, [ConfigDiagnostic])
    {
        var b = Bindings(readOnly: readOnly)
        var diagnostics: [ConfigDiagnostic] = []
        var aliases: Set<String> = [], wwids: Set<String> = []
        // Bytes, not Characters: `"\r\n"` is one Character and would never split on `"\n"`. As 0.9.4,
        // a line ends at its first `#` or `\r`.
        for (n, raw) in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let content = raw.prefix { $0 != UInt8(ascii: "#") && $0 != UInt8(ascii: "\r") }
            let fields = content.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
                .map { String(decoding: $0, as: UTF8.self) }
            guard !fields.isEmpty else { continue }
            func skip(_ why: String) {
                diagnostics.append(
                    ConfigDiagnostic(
                        severity: .warning, location: SourceLocation(file: file, line: n + 1),
                        keyword: nil, message: why))
            }
            guard fields.count >= 2 else {
                skip("no WWID for alias \(fields[0]), ignored")
                continue
            }
            let binding = Binding(alias: fields[0], wwid: fields[1])
            if aliases.contains(binding.alias) {
                skip("alias \(binding.alias) is bound twice, ignored")
                continue
            }
            if wwids.contains(binding.wwid) {
                skip("WWID \(binding.wwid) is bound twice, ignored")
                continue
            }
            aliases.insert(binding.alias)
            wwids.insert(binding.wwid)
            b.add(binding)
        }
        return (b, diagnostics)
    }

    public func render() -> String {
        Self.header + bindings.map { "\($0.alias) \($0.wwid)\n" }.joined()
    }

    public func alias(forWWID wwid: String) -> String? { aliasOfWWID[wwid] }
    public func wwid(forAlias alias: String) -> String? { wwidOfAlias[alias] }

    public static func == (a: Bindings, b: Bindings) -> Bool { a.bindings == b.bindings && a.readOnly == b.readOnly }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(bindings)
        hasher.combine(readOnly)
    }

    private mutating func add(_ binding: Binding) {
        bindings.append(binding)
        wwidOfAlias[binding.alias] = binding.wwid
        aliasOfWWID[binding.wwid] = binding.alias
        revision += 1
    }

    /// The name for a user_friendly_names map: its existing binding with this prefix; else `current` (the
    /// name the map has now, as 0.9.4 keeps an existing alias) if it is a name under the prefix that no
    /// other WWID holds; else a new binding with the smallest free id whose name is neither bound nor
    /// `taken` (a name of another existing map). Returns nil in read-only mode when a new binding would be
    /// needed (0.9.4 then uses the WWID).
    public mutating func allocate(
        wwid: String, prefix: String, current: String? = nil,
        taken: (String) -> Bool = { _ in false }
    ) -> String? {
        if let existing = alias(forWWID: wwid), Self.id(of: existing, prefix: prefix) != nil { return existing }
        guard !readOnly else { return nil }
        var name: String
        if let current, Self.id(of: current, prefix: prefix) != nil, wwidOfAlias[current] == nil {
            name = current
        } else {
            var id = firstUnbound[prefix] ?? 1
            while wwidOfAlias[prefix + Self.suffix(for: id)] != nil { id += 1 }
            firstUnbound[prefix] = id
            name = prefix + Self.suffix(for: id)
            while taken(name) || wwidOfAlias[name] != nil {
                id += 1
                name = prefix + Self.suffix(for: id)
            }
        }
        // A WWID bound under another prefix keeps one binding: the new one replaces it.
        if let old = aliasOfWWID.removeValue(forKey: wwid) {
            bindings.removeAll { $0.wwid == wwid }
            wwidOfAlias[old] = nil
            firstUnbound = [:]
        }
        add(Binding(alias: name, wwid: wwid))
        return name
    }

    /// 1 -> a, 26 -> z, 27 -> aa, 702 -> zz, 703 -> aaa (bijective base 26).
    public static func suffix(for id: Int) -> String {
        precondition(id > 0)
        var n = id
        var letters: [UInt8] = []
        while n > 0 {
            n -= 1
            letters.append(UInt8(ascii: "a") + UInt8(n % 26))
            n /= 26
        }
        return String(decoding: letters.reversed(), as: UTF8.self)
    }

    /// The id of `alias` if it is `prefix` followed by lower-case letters only.
    public static func id(of alias: String, prefix: String) -> Int? {
        guard alias.hasPrefix(prefix), alias.utf8.count > prefix.utf8.count else { return nil }
        var id = 0
        for b in alias.utf8.dropFirst(prefix.utf8.count) {
            guard b >= UInt8(ascii: "a"), b <= UInt8(ascii: "z") else { return nil }
            let (m, o1) = id.multipliedReportingOverflow(by: 26)
            let (s, o2) = m.addingReportingOverflow(Int(b - UInt8(ascii: "a")) + 1)
            guard !o1, !o2 else { return nil }
            id = s
        }
        return id
    }
}

/// How a map gets its name, in 0.9.4's order.
public enum MapName: Hashable, Sendable {
    /// `alias` in its `multipaths` entry.
    case configured(String)
    /// user_friendly_names: from the bindings file.
    case friendly(String)
    case wwid(String)

    public var name: String {
        switch self {
        case .configured(let n), .friendly(let n), .wwid(let n): n
        }
    }

    public var origin: String {
        switch self {
        case .configured: SettingOrigin.multipathsSection.description
        case .friendly: "(setting: user_friendly_name)"
        case .wwid: "(setting: default to WWID)"
        }
    }
}

extension Config {
    /// The name for a map: explicit alias, else a friendly name from `bindings` (allocating one if needed),
    /// else the WWID. `taken` are names of existing maps of other WWIDs.
    public func mapName(
        wwid: String, paths: [PathIdentity], bindings: inout Bindings, current: String? = nil,
        taken: (String) -> Bool = { _ in false }
    ) -> MapName {
        mapName(wwid: wwid, settings: mapSettings(wwid: wwid, paths: paths), bindings: &bindings, current: current, taken: taken)
    }

    /// `mapName` with the map's settings already resolved.
    public func mapName(
        wwid: String, settings: ResolvedMapSettings, bindings: inout Bindings, current: String? = nil,
        taken: (String) -> Bool = { _ in false }
    ) -> MapName {
        if let alias = settings.alias { return .configured(alias.value) }
        if settings.userFriendlyNames.value,
            let name = bindings.allocate(wwid: wwid, prefix: settings.aliasPrefix.value, current: current, taken: taken)
        {
            return .friendly(name)
        }
        return .wwid(wwid)
    }
}
