/// Prints a configuration in multipath.conf syntax, like `multipath -t` (everything) and `multipath -T`
/// (only what the files change: defaults that differ from the built-ins, the user's blacklist entries,
/// device entries the files add or modify, overrides and multipaths).
public func renderConfig(_ config: Config, onlyDifferences: Bool) -> String {
    renderConfig(config, onlyDifferences: onlyDifferences, local: nil)
}

/// What `show config local` limits the configuration to.
public struct LocalConfigScope: Sendable {
    /// Indices into `Config.hardware` of the entries present devices match, in the order to print.
    public var hardware: [Int]
    /// The maps that exist: their `multipaths` entries, or for a map without one its WWID and name.
    public var maps: [(wwid: String, name: String)]

    public init(hardware: [Int], maps: [(wwid: String, name: String)]) {
        self.hardware = hardware
        self.maps = maps
    }
}

/// `show config local`: everything, but only the device entries and maps in `local`.
public func renderConfig(_ config: Config, local: LocalConfigScope) -> String {
    renderConfig(config, onlyDifferences: false, local: local)
}

private func renderConfig(_ config: Config, onlyDifferences: Bool, local: LocalConfigScope?) -> String {
    var out = ""
    func line(_ depth: Int, _ text: String) {
        out += String(repeating: "\t", count: depth) + text + "\n"
    }
    func settings(_ s: Settings, _ section: ConfigSection, depth: Int) {
        for k in section.keywords where k != .checker {
            if let v = s[k]?.value { line(depth, "\(k.rawValue) \(k.kind.render(v))") }
        }
    }

    line(0, "defaults {")
    for k in ConfigSection.defaults.keywords where k != .checker && k != .no_path_retry || config.defaults[k] != nil {
        guard let r = config.global(k) else { continue }
        if onlyDifferences {
            guard r.origin == .defaultsSection, r.value != Config.builtinGlobals.global(k)?.value else { continue }
        }
        line(1, "\(k.rawValue) \(k.kind.render(r.value))")
    }
    line(0, "}")

    for (name, rules) in [("blacklist", config.blacklist.blacklist), ("blacklist_exceptions", config.blacklist.exceptions)] {
        line(0, "\(name) {")
        for k in [ConfigKeyword.devnode, .wwid, .property, .protocol] {
            for r in rules[k] where !onlyDifferences || r.location != nil { line(1, "\(k.rawValue) \(quote(r.text))") }
        }
        for d in rules.device where !onlyDifferences || (d.vendor ?? d.product)?.location != nil {
            line(1, "device {")
            if let v = d.vendor { line(2, "vendor \(quote(v.text))") }
            if let p = d.product { line(2, "product \(quote(p.text))") }
            line(1, "}")
        }
        line(0, "}")
    }

    line(0, "devices {")
    let devices = local.map { $0.hardware.map { config.hardware[$0] } } ?? config.hardware
    for e in devices where !onlyDifferences || !e.isBuiltin {
        line(1, "device {")
        settings(e.settings, .device, depth: 2)
        line(1, "}")
    }
    line(0, "}")

    line(0, "overrides {")
    settings(config.overrides, .overrides, depth: 1)
    for p in config.protocols {
        line(1, "protocol {")
        settings(p, .overridesProtocol, depth: 2)
        line(1, "}")
    }
    line(0, "}")

    // Local: the entries of existing maps, then the maps without one (0.9.4 comments their alias).
    let mapEntries = config.multipaths.filter { m in local?.maps.contains { string(m[.wwid]?.value) == $0.wwid } ?? true }
    let bare = local?.maps.filter { m in config.multipathEntry(wwid: m.wwid) == nil } ?? []
    if !mapEntries.isEmpty || !bare.isEmpty {
        line(0, "multipaths {")
        for m in mapEntries {
            line(1, "multipath {")
            settings(m, .multipath, depth: 2)
            if m[ConfigKeyword.alias] == nil, let name = local?.maps.first(where: { string(m[.wwid]?.value) == $0.wwid })?.name {
                line(2, "# alias \(quote(name))")
            }
            line(1, "}")
        }
        for m in bare {
            line(1, "multipath {")
            line(2, "wwid \(quote(m.wwid))")
            line(2, "# alias \(quote(m.name))")
            line(1, "}")
        }
        line(0, "}")
    }
    return out
}
