/// Builds a `Config` from `/etc/multipath.conf` and the `conf.d` files, as 0.9.4's load_config does.
/// The daemon reads the files; this only sees their text.
public enum ConfigLoader {
    public static let mainFile = "/etc/multipath.conf"
    /// 0.9.4 ignores `config_dir` (deprecated), so the directory is fixed.
    public static let confDDirectory = "/etc/multipath/conf.d"

    /// The `conf.d` entries to read, from a directory listing: names ending in `.conf`, in byte order
    /// (as `scandir` with `alphasort` in the C locale).
    public static func confDFiles(_ names: [String]) -> [String] {
        names.filter { $0.count > 5 && $0.hasSuffix(".conf") }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// Loads the configuration, its expressions compiled once by `regex`. The result always holds a usable
    /// `Config`; diagnostics with severity `.error` mean a file is broken (as 0.9.4 refuses a file with an
    /// invalid blacklist expression), and a daemon reloading its configuration should keep the old one.
    public static func load(main: (path: String, text: String)?, confD: [(path: String, text: String)], regex: RegexEngine)
        -> (Config, [ConfigDiagnostic])
    {
        var parser = ConfigParser(document: ConfigDocument())
        if let main { parser.parse(file: main.path, text: main.text) }
        for file in confD { parser.parse(file: file.path, text: file.text) }
        var diagnostics = parser.diagnostics
        let doc = parser.document
        for (keyword, location) in doc.unsupported {
            if case .notSupported(let reason) = keyword.status {
                diagnostics.append(
                    ConfigDiagnostic(
                        severity: .warning, location: location, keyword: keyword.rawValue,
                        message: "not supported, ignored (\(reason))"))
            }
        }

        if let deprecated = sanPathErrWarning(doc) { diagnostics.append(deprecated) }
        let hardware = mergeHardware(user: doc.devices, regex: regex, diagnostics: &diagnostics)

        var multipaths: [Settings] = []
        var index: [String: Int] = [:]
        for entry in doc.multipaths {
            guard let wwid = string(entry[.wwid]?.value) else {
                diagnostics.append(missing("wwid", in: entry, section: "multipath"))
                continue
            }
            if let i = index[wwid] {
                multipaths[i].merge(entry) { _, later in later }
            } else {
                index[wwid] = multipaths.count
                multipaths.append(entry)
            }
        }
        var protocols: [Settings] = []
        for entry in doc.protocols {
            guard entry[.type] != nil else {
                diagnostics.append(missing("type", in: entry, section: "protocol"))
                continue
            }
            protocols.append(entry)
        }

        let config = Config(
            defaults: doc.defaults, hardware: hardware, overrides: doc.overrides, protocols: protocols,
            multipaths: multipaths,
            blacklist: makeBlacklist(doc, hardware: hardware, regex: regex, diagnostics: &diagnostics),
            multipathIndex: index)
        return (config, diagnostics)
    }

    /// A reconfigure: the new configuration when the files load without errors, otherwise `current`
    /// (the diagnostics say why it was kept).
    public static func reload(
        current: Config, main: (path: String, text: String)?, confD: [(path: String, text: String)], regex: RegexEngine
    ) -> (config: Config, applied: Bool, diagnostics: [ConfigDiagnostic]) {
        let (new, diagnostics) = load(main: main, confD: confD, regex: regex)
        let applied = !diagnostics.contains { $0.severity == .error }
        return (applied ? new : current, applied, diagnostics)
    }

    static let builtinHardware: [HardwareEntry] = builtinHardwareTable.map { raw in
        var settings: Settings = [:]
        for (name, text) in raw.pairs {
            guard let keyword = ConfigKeyword(rawValue: name), case .value(let v) = keyword.kind.parse(text) else {
                preconditionFailure("built-in hardware table: bad \(name) \(text)")
            }
            settings[keyword] = Setting(value: v, location: nil)
        }
        return HardwareEntry(settings: settings, isBuiltin: true)
    }

    /// Built-ins then user entries. An entry with the same vendor/product/revision strings as a later user
    /// entry is merged into it (the later entry's values win) and takes its place, as 0.9.4's factorize_hwtable.
    static func mergeHardware(user: [Settings], regex: RegexEngine, diagnostics: inout [ConfigDiagnostic]) -> [HardwareEntry] {
        var entries = regex.builtinHardware
        for settings in user {
            guard settings[.vendor] != nil, settings[.product] != nil else {
                diagnostics.append(missing("vendor or product", in: settings, section: "device"))
                continue
            }
            var entry = HardwareEntry(settings: settings, isBuiltin: false)
            entry.compile(regex.compile)
            let compiled = [
                (ConfigKeyword.vendor, entry.matcher.vendor), (.product, entry.matcher.product), (.revision, entry.matcher.revision)
            ]
            for (k, result) in compiled {
                if case .failure(let e) = result {
                    diagnostics.append(
                        ConfigDiagnostic(
                            severity: .warning, location: settings[k]?.location, keyword: k.rawValue,
                            message: "\(e): the entry never matches"))
                }
            }
            entries.append(entry)
        }
        // Only user entries fold others into them: without any, the table stands as built.
        guard entries.contains(where: { !$0.isBuiltin }) else { return entries }
        let identities = entries.map(\.identity)
        // For each identity, the position of its last entry: everything with that identity is folded into it.
        var last: [[String?]: Int] = [:]
        for (i, e) in entries.enumerated() where !e.isBuiltin { last[identities[i]] = i }
        var merged: [Int: HardwareEntry] = [:]
        for (i, e) in entries.enumerated() {
            guard let target = last[identities[i]] else { continue }
            // All have the target's vendor/product/revision strings, so its compiled expressions.
            var into = merged[target] ?? HardwareEntry(settings: [:], isBuiltin: false, matcher: entries[target].matcher)
            into.settings.merge(e.settings) { _, later in later }
            merged[target] = into
        }
        var result: [HardwareEntry] = []
        for (i, e) in entries.enumerated() {
            guard let target = last[identities[i]] else {
                result.append(e)
                continue
            }
            if target == i, let m = merged[i] { result.append(m) }
        }
        return result
    }

    /// An expression that does not compile is an error: 0.9.4 refuses the file (and a reconfigure keeps the
    /// running configuration); the entry is left out.
    static func makeBlacklist(
        _ doc: ConfigDocument, hardware: [HardwareEntry], regex: RegexEngine, diagnostics: inout [ConfigDiagnostic]
    ) -> Blacklist {
        var b = Blacklist()
        /// `derived`: made from a device entry's `product_blacklist`, not a blacklist line of the user's.
        func rule(_ text: String, _ keyword: ConfigKeyword, _ location: SourceLocation?, derived: Bool = false) -> Blacklist.Rule? {
            do throws(RegexError) {
                return try Blacklist.Rule(text, location: derived ? nil : location, engine: regex)
            } catch {
                diagnostics.append(
                    ConfigDiagnostic(severity: .error, location: location, keyword: keyword.rawValue, message: error.description))
                return nil
            }
        }
        func add(_ entries: [ListEntry], to rules: inout Blacklist.Rules) {
            for e in entries { if let r = rule(e.text, e.keyword, e.location) { rules[e.keyword].append(r) } }
        }
        func devices(_ list: [Settings]) -> [Blacklist.DeviceRule] {
            list.compactMap { s in
                let v = string(s[.vendor]?.value).flatMap { rule($0, .vendor, s[.vendor]?.location) }
                let p = string(s[.product]?.value).flatMap { rule($0, .product, s[.product]?.location) }
                return v == nil && p == nil ? nil : Blacklist.DeviceRule(vendor: v, product: p)
            }
        }
        add(doc.blacklist, to: &b.blacklist)
        add(doc.exceptions, to: &b.exceptions)
        b.blacklist.devnode.append(builtinRule(Blacklist.defaultDevnode, regex))
        b.exceptions.property.append(builtinRule(Blacklist.defaultPropertyException, regex))
        b.blacklist.device = devices(doc.blacklistDevices)
        b.exceptions.device = devices(doc.exceptionDevices)
        // product_blacklist of device entries, unless the same vendor/product pair is already listed.
        for e in hardware {
            guard let product = e.string(.product_blacklist), let vendor = e.string(.vendor) else { continue }
            if b.blacklist.device.contains(where: { $0.vendor?.text == vendor && $0.product?.text == product }) { continue }
            guard let v = rule(vendor, .vendor, e.settings[.vendor]?.location, derived: true),
                let p = rule(product, .product_blacklist, e.settings[.product_blacklist]?.location, derived: true)
            else { continue }
            b.blacklist.device.append(Blacklist.DeviceRule(vendor: v, product: p))
        }
        // Identical entries are kept once, the first, as 0.9.4's merge_blacklist does.
        for rules in [\Blacklist.blacklist, \Blacklist.exceptions] as [WritableKeyPath<Blacklist, Blacklist.Rules>] {
            for k in [ConfigKeyword.devnode, .wwid, .property, .protocol] {
                var seen: Set<String> = []
                b[keyPath: rules][k] = b[keyPath: rules][k].filter { seen.insert($0.text).inserted }
            }
            var seen: Set<[String?]> = []
            b[keyPath: rules].device = b[keyPath: rules].device.filter { seen.insert([$0.vendor?.text, $0.product?.text]).inserted }
        }
        return b
    }

    /// 0.9.4 warns once that `san_path_err_*` is deprecated (in favour of marginal_path) when one is set
    /// to a number; `delay_*_checks`, which it maps onto them, do not warn.
    static func sanPathErrWarning(_ doc: ConfigDocument) -> ConfigDiagnostic? {
        let sections = [doc.defaults, doc.overrides] + doc.devices + doc.multipaths
        for keyword in [ConfigKeyword.san_path_err_threshold, .san_path_err_forget_rate, .san_path_err_recovery_time] {
            for settings in sections {
                guard let s = settings[keyword], case .disabledOrInt(.some) = s.value else { continue }
                return ConfigDiagnostic(
                    severity: .warning, location: s.location, keyword: keyword.rawValue,
                    message: "option \(keyword.rawValue) is deprecated, please use marginal_path options instead")
            }
        }
        return nil
    }

    private static func builtinRule(_ text: String, _ regex: RegexEngine) -> Blacklist.Rule {
        guard let rule = try? Blacklist.Rule(text, location: nil, engine: regex) else { preconditionFailure("built-in rule \(text)") }
        return rule
    }

    static func missing(_ what: String, in settings: Settings, section: String) -> ConfigDiagnostic {
        let location = settings.values.compactMap(\.location).min { ($0.file, $0.line) < ($1.file, $1.line) }
        return ConfigDiagnostic(
            severity: .warning, location: location, keyword: section,
            message: "\(section) section without \(what), ignored")
    }
}
