/// `blacklist` and `blacklist_exceptions`, with 0.9.4's built-in rules added at load.
public struct Blacklist: Sendable {
    /// One regular expression; a leading `!` inverts it (`\!` is a literal `!`).
    public struct Rule: Sendable, Hashable {
        public var text: String
        public var location: SourceLocation?
        let regex: ConfigRegex
        let inverted: Bool

        init(_ text: String, location: SourceLocation?, engine: RegexEngine) throws(RegexError) {
            self.text = text
            self.location = location
            self.regex = try engine.compile(Self.expression(text)).get()
            self.inverted = text.hasPrefix("!")
        }

        /// A leading `!` inverts the rule; `\!` stands for a `!` that is the expression's own.
        static func expression(_ text: String) -> String {
            text.hasPrefix("!") || text.hasPrefix("\\!") ? String(text.dropFirst()) : text
        }

        func matches(_ s: String) -> Bool { regex.matches(s) != inverted }
    }

    public struct DeviceRule: Sendable, Hashable {
        public var vendor: Rule?
        public var product: Rule?
        func matches(vendor v: String, product p: String) -> Bool {
            (vendor != nil || product != nil) && (vendor?.matches(v) ?? true) && (product?.matches(p) ?? true)
        }
    }

    public struct Rules: Sendable {
        public internal(set) var devnode: [Rule] = []
        public internal(set) var wwid: [Rule] = []
        public internal(set) var property: [Rule] = []
        public internal(set) var protocols: [Rule] = []
        public internal(set) var device: [DeviceRule] = []

        /// With `_modify`, appending through the subscript is in place: loading stays linear in the entries.
        subscript(keyword: ConfigKeyword) -> [Rule] {
            get {
                switch keyword {
                case .devnode: devnode
                case .wwid: wwid
                case .property: property
                default: protocols
                }
            }
            set {
                switch keyword {
                case .devnode: devnode = newValue
                case .wwid: wwid = newValue
                case .property: property = newValue
                default: protocols = newValue
                }
            }
            _modify {
                switch keyword {
                case .devnode: yield &devnode
                case .wwid: yield &wwid
                case .property: yield &property
                default: yield &protocols
                }
            }
        }
    }

    public internal(set) var blacklist = Rules()
    public internal(set) var exceptions = Rules()

    /// 0.9.4's built-in rules: only sd, dasd and nvme device nodes are considered.
    static let defaultDevnode = "!^(sd[a-z]|dasd[a-z]|nvme[0-9])"
    /// 0.9.4's built-in exception: devices with one of these udev properties are whitelisted.
    static let defaultPropertyException = "(SCSI_IDENT_|ID_WWN)"
}

/// The five criteria, in the order 0.9.4 evaluates them.
public enum BlacklistCriterion: String, Hashable, Sendable, CaseIterable {
    case property, devnode, device, `protocol`, wwid
}

public enum BlacklistVerdict: Hashable, Sendable {
    case accepted
    case blacklisted(BlacklistCriterion, rule: String)
    /// The device has its `uid_attribute` but none of the whitelisted udev properties
    /// ("blacklisted, udev property missing").
    case missingProperty
}

extension Blacklist {
    /// Evaluates property, devnode, device, protocol, wwid in that order; for each, an exception beats the
    /// blacklist and the first blacklisting criterion decides. A nil input skips its criterion (it is not
    /// known yet), as 0.9.4 checks some criteria before the WWID is known.
    public func verdict(
        devnode: String?, vendor: String?, product: String?, protocol: String?, wwid: String?,
        udevProperties: [String]?, uidAttribute: String?
    ) -> BlacklistVerdict {
        if let udevProperties {
            var uidSeen = false
            var decided = false
            for name in udevProperties {
                if name == uidAttribute { uidSeen = true }
                if exceptions.property.contains(where: { $0.matches(name) }) {
                    decided = true
                    break
                }
                if let rule = blacklist.property.first(where: { $0.matches(name) }) { return .blacklisted(.property, rule: rule.text) }
            }
            if !decided, let uidAttribute, !uidAttribute.isEmpty, uidSeen { return .missingProperty }
        }
        if let devnode, let rule = firstBlacklisting(devnode, \.devnode) { return .blacklisted(.devnode, rule: rule) }
        if let vendor, let product, !exceptions.device.contains(where: { $0.matches(vendor: vendor, product: product) }),
            let rule = blacklist.device.first(where: { $0.matches(vendor: vendor, product: product) })
        {
            return .blacklisted(.device, rule: "\(rule.vendor?.text ?? ""):\(rule.product?.text ?? "")")
        }
        if let `protocol`, let rule = firstBlacklisting(`protocol`, \.protocols) { return .blacklisted(.protocol, rule: rule) }
        if let wwid, let rule = firstBlacklisting(wwid, \.wwid) { return .blacklisted(.wwid, rule: rule) }
        return .accepted
    }

    private func firstBlacklisting(_ s: String, _ list: KeyPath<Rules, [Rule]>) -> String? {
        if exceptions[keyPath: list].contains(where: { $0.matches(s) }) { return nil }
        return blacklist[keyPath: list].first(where: { $0.matches(s) })?.text
    }
}

extension Config {
    /// The blacklist verdict for a path; `udevProperties` are the names of its udev properties, in udev's order.
    /// `uidAttribute` defaults to the path's resolved one; pass it when the path settings are at hand.
    public func blacklistVerdict(for path: PathIdentity, udevProperties: [String]?, uidAttribute: String? = nil) -> BlacklistVerdict {
        blacklist.verdict(
            devnode: path.name, vendor: path.vendor, product: path.product,
            protocol: path.transport.description, wwid: path.wwid, udevProperties: udevProperties,
            uidAttribute: uidAttribute ?? pathSettings(for: path).uidAttribute.value)
    }
}
