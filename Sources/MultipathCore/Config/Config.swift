/// The keyword/value pairs of one built-in device entry, as `multipath -t` prints them.
struct RawDeviceEntry: Sendable {
    let pairs: [(String, String)]
    init(_ flat: String...) {
        pairs = stride(from: 0, to: flat.count - 1, by: 2).map { (flat[$0], flat[$0 + 1]) }
    }
}

/// One entry of the merged device table: a built-in, a user `device` section, or both merged.
public struct HardwareEntry: Sendable {
    public internal(set) var settings: Settings
    /// True when the entry comes only from the built-in table.
    public internal(set) var isBuiltin: Bool
    private(set) var matcher: HardwareMatcher

    init(settings: Settings, isBuiltin: Bool, matcher: HardwareMatcher = HardwareMatcher(vendor: nil, product: nil, revision: nil)) {
        self.settings = settings
        self.isBuiltin = isBuiltin
        self.matcher = matcher
    }

    /// An expression that does not compile never matches, as 0.9.4's hwe_regmatch.
    mutating func compile(_ compile: (String) -> Result<ConfigRegex, RegexError>) {
        func regex(_ k: ConfigKeyword) -> Result<ConfigRegex, RegexError>? { string(k).map(compile) }
        matcher = HardwareMatcher(vendor: regex(.vendor), product: regex(.product), revision: regex(.revision))
    }

    func string(_ k: ConfigKeyword) -> String? {
        guard case .string(let s)? = settings[k]?.value else { return nil }
        return s
    }

    /// Same vendor, product and revision strings: such entries are merged at load.
    var identity: [String?] { [string(.vendor), string(.product), string(.revision)] }
}

/// The compiled expressions of one device entry, kept apart so that the hot matching loop touches one reference.
final class HardwareMatcher: Sendable {
    let vendor: Result<ConfigRegex, RegexError>?
    let product: Result<ConfigRegex, RegexError>?
    let revision: Result<ConfigRegex, RegexError>?
    init(vendor: Result<ConfigRegex, RegexError>?, product: Result<ConfigRegex, RegexError>?, revision: Result<ConfigRegex, RegexError>?) {
        self.vendor = vendor
        self.product = product
        self.revision = revision
    }

    /// 0.9.4's rule: each regex that is set must match somewhere in the path's string.
    func matches(vendor v: String, product p: String, revision r: String) -> Bool {
        func test(_ regex: Result<ConfigRegex, RegexError>?, _ s: String) -> Bool {
            switch regex {
            case nil: true
            case .success(let regex)?: regex.matches(s)
            case .failure?: false
            }
        }
        return test(vendor, v) && test(product, p) && test(revision, r)
    }
}

/// Where a resolved value came from, printed as multipath-tools does.
public enum SettingOrigin: Hashable, Sendable, CustomStringConvertible {
    case multipathsSection
    case overridesProtocolSection
    case overridesSection
    case deviceConfiguration
    case defaultsSection
    case internalDefault
    /// `san_path_err_*` derived from the deprecated `delay_watch_checks` / `delay_wait_checks`.
    case impliedByDelayWatchChecks
    case impliedByDelayWaitChecks
    /// `prio alua` on a path that cannot report TPGS (not SCSI): 0.9.4 falls back to `const`.
    case aluaFallback

    public var description: String {
        switch self {
        case .multipathsSection: "(setting: multipath.conf multipaths section)"
        case .overridesProtocolSection: "(setting: multipath.conf overrides protocol section)"
        case .overridesSection: "(setting: multipath.conf overrides section)"
        case .deviceConfiguration: "(setting: storage device configuration)"
        case .defaultsSection: "(setting: multipath.conf defaults/devices section)"
        case .internalDefault: "(setting: multipath internal)"
        case .impliedByDelayWatchChecks: "(setting: implied by delay_watch_checks)"
        case .impliedByDelayWaitChecks: "(setting: implied by delay_wait_checks)"
        case .aluaFallback: "(setting: emergency fallback - alua failed)"
        }
    }
}

/// A resolved value, where it came from, and the line that set it (nil for built-in values).
public struct Resolved<Value: Sendable & Hashable>: Sendable, Hashable, CustomStringConvertible {
    public var value: Value
    public var origin: SettingOrigin
    public var location: SourceLocation?
    public var description: String { "\(value) \(origin)" }
}

/// The resolved configuration: defaults, the merged device table, overrides, multipaths and blacklists.
public struct Config: Sendable {
    public internal(set) var defaults: Settings
    /// The device table, built-ins first, user entries after; searched from the end.
    public let hardware: [HardwareEntry]
    /// `hardware[i].matcher`, in a flat array for the matching loop.
    let matchers: [HardwareMatcher]
    public internal(set) var overrides: Settings
    /// `overrides { protocol { type ... } }`, in file order (later wins).
    public internal(set) var protocols: [Settings]
    /// `multipaths` entries merged by WWID (later entries win), in first-seen order.
    public internal(set) var multipaths: [Settings]
    public internal(set) var blacklist: Blacklist
    var multipathIndex: [String: Int]

    init(
        defaults: Settings, hardware: [HardwareEntry], overrides: Settings, protocols: [Settings], multipaths: [Settings],
        blacklist: Blacklist, multipathIndex: [String: Int]
    ) {
        self.defaults = defaults
        self.hardware = hardware
        self.matchers = hardware.map(\.matcher)
        self.overrides = overrides
        self.protocols = protocols
        self.multipaths = multipaths
        self.blacklist = blacklist
        self.multipathIndex = multipathIndex
    }

    /// The global settings with no file at all (no device table or blacklist: those need a regex engine).
    static let builtinGlobals = Config(
        defaults: [:], hardware: [], overrides: [:], protocols: [], multipaths: [], blacklist: Blacklist(), multipathIndex: [:])

    // MARK: Global settings

    /// A `defaults` keyword: the user's value or the built-in one.
    public func global(_ keyword: ConfigKeyword) -> Resolved<ConfigValue>? {
        if let s = defaults[keyword] { return Resolved(value: s.value, origin: .defaultsSection, location: s.location) }
        if keyword == .max_polling_interval, let p = global(.polling_interval) {
            // Intended difference from 0.9.4 (4 * polling_interval): see docs/config-differences.md.
            return Resolved(value: p.value, origin: .internalDefault, location: nil)
        }
        return builtinDefaults[keyword].map { Resolved(value: $0, origin: .internalDefault, location: nil) }
    }

    /// `max_fds`: the open-file limit to raise to; nil is `max` (the system's maximum).
    public var maxFDs: Int? {
        if case .maxFDs(let n)? = global(.max_fds)?.value { return n }
        return nil
    }
    public var pollingInterval: Int { int(global(.polling_interval)?.value) ?? 5 }
    public var maxPollingInterval: Int { int(global(.max_polling_interval)?.value) ?? pollingInterval }
    public var findMultipaths: FindMultipathsMode {
        if case .findMultipaths(let m)? = global(.find_multipaths)?.value { return m }
        return .strict
    }
    public var findMultipathsTimeout: Int { int(global(.find_multipaths_timeout)?.value) ?? -10 }
    /// `retrigger_tries` change uevents, `retrigger_delay` seconds apart, for a path udev set up without
    /// its `uid_attribute`.
    public var retriggerTries: Int { int(global(.retrigger_tries)?.value) ?? 3 }
    public var retriggerDelay: Duration { .seconds(max(int(global(.retrigger_delay)?.value) ?? 10, 0)) }
    /// How long reloads of a new map wait for udev to have seen it (`missing_uev_wait_timeout`, seconds).
    public var missingUeventWait: Duration { .seconds(max(int(global(.missing_uev_wait_timeout)?.value) ?? 30, 0)) }
    public var bindingsFile: String { string(global(.bindings_file)?.value) ?? "/etc/multipath/bindings" }
    public var wwidsFile: String { string(global(.wwids_file)?.value) ?? "/etc/multipath/wwids" }
    /// nil: use the device's SCSI timeout from sysfs, as 0.9.4 does.
    public var checkerTimeout: Int? { int(global(.checker_timeout)?.value) }
    /// How long the control socket waits for an answer before replying `timeout`.
    public var uxsockTimeoutMilliseconds: Int { int(global(.uxsock_timeout)?.value) ?? 4000 }
    /// Our `failed_path_reprobe_ms`; nil when `off`.
    public var failedPathReprobe: Duration? {
        if case .disabledOrInt(let n)? = global(.failed_path_reprobe_ms)?.value { return n.map { .milliseconds($0) } }
        return .milliseconds(100)
    }
    public var logCheckerErr: LogCheckerErr {
        if case .logCheckerErr(let l)? = global(.log_checker_err)?.value { return l }
        return .always
    }
    /// `allow_usb_devices`: USB disks are refused unless it is `yes`.
    public var allowUSBDevices: Bool {
        if case .bool(let b)? = global(.allow_usb_devices)?.value { return b }
        return false
    }
    public var queueWithoutDaemon: Bool {
        if case .bool(let b)? = global(.queue_without_daemon)?.value { return b }
        return false
    }

    // MARK: Hardware matching

    /// Indices of matching device entries, last table entry first: the first that sets a keyword wins.
    public func hardwareMatches(vendor: String, product: String, revision: String) -> [Int] {
        matchers.indices.reversed().filter { matchers[$0].matches(vendor: vendor, product: product, revision: revision) }
    }

    // MARK: Resolution

    enum Level {
        case multipath(Settings)
        case protocols([Settings])
        case overrides
        case hardware([Int])
        case defaults
    }

    /// Precedence as 0.9.4's propsel: each level applies only to keywords its section accepts.
    func resolve(_ keyword: ConfigKeyword, _ levels: [Level]) -> (Resolved<ConfigValue>, Settings?)? {
        for level in levels {
            switch level {
            case .multipath(let entry) where ConfigSection.multipath.accepts(keyword):
                if let s = entry[keyword] { return (Resolved(value: s.value, origin: .multipathsSection, location: s.location), entry) }
            case .protocols(let entries) where ConfigSection.overridesProtocol.accepts(keyword):
                for entry in entries.reversed() {
                    if let s = entry[keyword] {
                        return (Resolved(value: s.value, origin: .overridesProtocolSection, location: s.location), entry)
                    }
                }
            case .overrides where ConfigSection.overrides.accepts(keyword):
                if let s = overrides[keyword] {
                    return (Resolved(value: s.value, origin: .overridesSection, location: s.location), overrides)
                }
            case .hardware(let matches) where ConfigSection.device.accepts(keyword):
                for i in matches {
                    if let s = hardware[i].settings[keyword] {
                        return (Resolved(value: s.value, origin: .deviceConfiguration, location: s.location), hardware[i].settings)
                    }
                }
            case .defaults:
                if let r = global(keyword) { return (r, r.origin == .defaultsSection ? defaults : nil) }
            default: continue
            }
        }
        return nil
    }

    public func multipathEntry(wwid: String) -> Settings? {
        multipathIndex[wwid].map { multipaths[$0] }
    }

    /// The settings of one path device, from its identity.
    public func pathSettings(for path: PathIdentity) -> ResolvedPathSettings {
        let matches = hardwareMatches(vendor: path.vendor, product: path.product, revision: path.revision)
        let protocolName = path.transport.description
        let protocols = self.protocols.filter { string($0[.type]?.value) == protocolName }
        var levels: [Level] = []
        if let wwid = path.wwid, let entry = multipathEntry(wwid: wwid) { levels.append(.multipath(entry)) }
        levels += [.protocols(protocols), .overrides, .hardware(matches), .defaults]
        return ResolvedPathSettings(config: self, levels: levels, hardwareMatches: matches)
    }

    /// The settings of a map: its `multipaths` entry, then overrides, then the device entries of its first path.
    public func mapSettings(wwid: String, paths: [PathIdentity]) -> ResolvedMapSettings {
        mapSettings(
            wwid: wwid,
            hardwareMatches: paths.first.map { hardwareMatches(vendor: $0.vendor, product: $0.product, revision: $0.revision) } ?? [])
    }

    /// The same, with the first path's `ResolvedPathSettings.hardwareMatches` (matching is the costly part).
    public func mapSettings(wwid: String, hardwareMatches matches: [Int]) -> ResolvedMapSettings {
        var levels: [Level] = []
        let entry = multipathEntry(wwid: wwid)
        if let entry { levels.append(.multipath(entry)) }
        levels += [.overrides, .hardware(matches), .defaults]
        return ResolvedMapSettings(
            config: self, levels: levels,
            alias: entry.flatMap { e in
                e[.alias].flatMap { s in string(s.value).map { Resolved(value: $0, origin: .multipathsSection, location: s.location) } }
            })
    }
}

func int(_ v: ConfigValue?) -> Int? {
    switch v {
    case .int(let n)?: n
    case .disabledOrInt(let n)?: n
    default: nil
    }
}

func string(_ v: ConfigValue?) -> String? {
    if case .string(let s)? = v { return s }
    return nil
}

/// Lookup shared by path and map settings.
public protocol ResolvedSettings {
    /// Any keyword's value with its origin; nil when nothing sets it (the kernel's or sysfs's value applies).
    func value(_ keyword: ConfigKeyword) -> Resolved<ConfigValue>?
}

extension ResolvedSettings {
    func typed<T>(_ keyword: ConfigKeyword, _ extract: (ConfigValue) -> T?) -> Resolved<T>? {
        guard let r = value(keyword), let v = extract(r.value) else { return nil }
        return Resolved(value: v, origin: r.origin, location: r.location)
    }
    func bool(_ k: ConfigKeyword) -> Resolved<Bool>? { typed(k) { if case .bool(let b) = $0 { b } else { nil } } }
    func str(_ k: ConfigKeyword) -> Resolved<String>? { typed(k) { if case .string(let s) = $0 { s } else { nil } } }
    func number(_ k: ConfigKeyword) -> Resolved<Int>? { typed(k) { if case .int(let n) = $0 { n } else { nil } } }
    func disabledOrInt(_ k: ConfigKeyword) -> Resolved<Int?>? { typed(k) { if case .disabledOrInt(let n) = $0 { n } else { nil } } }
}

public struct ResolvedPathSettings: ResolvedSettings, Sendable {
    let config: Config
    let levels: [Config.Level]
    /// Matching device entries (indices into `Config.hardware`), most important first.
    public let hardwareMatches: [Int]

    public func value(_ keyword: ConfigKeyword) -> Resolved<ConfigValue>? { config.resolve(keyword, levels)?.0 }

    public var uidAttribute: Resolved<String> { str(.uid_attribute)! }
    /// Parsed at load: a name that is not a `CheckerKind` was refused there (the next level's applies).
    public var pathChecker: Resolved<CheckerKind> {
        typed(.path_checker) { if case .string(let s) = $0 { CheckerKind(rawValue: s) } else { nil } }!
    }
    /// Parsed at load, as `pathChecker`.
    public var prio: Resolved<PrioritizerKind> {
        typed(.prio) { if case .string(let s) = $0 { PrioritizerKind(rawValue: s) } else { nil } }!
    }
    /// The arguments that go with `prio`: taken from the same section that chose the prioritizer.
    public var prioArgs: Resolved<String> {
        guard let (r, source) = config.resolve(.prio, levels) else { return Resolved(value: "", origin: .internalDefault, location: nil) }
        let s = source?[.prio_args]
        return Resolved(value: string(s?.value) ?? "", origin: r.origin, location: s?.location ?? r.location)
    }
    public var detectPrio: Resolved<Bool> { bool(.detect_prio)! }
    public var detectChecker: Resolved<Bool> { bool(.detect_checker)! }
    public var recheckWWID: Resolved<Bool> { bool(.recheck_wwid)! }
    public var fastIOFailTimeout: Resolved<SCSITimeout>? {
        typed(.fast_io_fail_tmo) { if case .scsiTimeout(let t) = $0 { t } else { nil } }
    }
    /// nil: leave the transport's own value.
    public var devLossTimeout: Resolved<DevLossTimeout>? { typed(.dev_loss_tmo) { if case .devLossTimeout(let t) = $0 { t } else { nil } } }
    public var ehDeadline: Resolved<SCSITimeout>? { typed(.eh_deadline) { if case .scsiTimeout(let t) = $0 { t } else { nil } } }
    /// True when the built-in table or a `device` section knows this hardware (find_multipaths_timeout).
    public var isKnownHardware: Bool { !hardwareMatches.isEmpty }
}

public struct ResolvedMapSettings: ResolvedSettings, Sendable {
    let config: Config
    let levels: [Config.Level]
    /// The `alias` of the map's `multipaths` entry.
    public let alias: Resolved<String>?
    /// Resolved once, with the settings (at each build): what the checker's path reads on its verdicts.
    public let features: Resolved<String>
    public let failback: Resolved<Failback>
    public let noPathRetry: Resolved<NoPathRetry>
    /// `no_path_retry` as 0.9.4 reads it: `queue_if_no_path` in `features` without an explicit
    /// `no_path_retry` means `queue`.
    public let effectiveNoPathRetry: NoPathRetry
    public private(set) var sanPathErrThreshold: Resolved<Int?>
    public private(set) var sanPathErrForgetRate: Resolved<Int?>
    public private(set) var sanPathErrRecoveryTime: Resolved<Int?>
    /// Both `san_path_err_*` and `delay_*_checks` chose the map's settings: the latter were ignored.
    public private(set) var delayChecksIgnored: Bool

    init(config: Config, levels: [Config.Level], alias: Resolved<String>?) {
        self.config = config
        self.levels = levels
        self.alias = alias
        features = Self.resolved(.features, config, levels) { if case .string(let s) = $0 { s } else { nil } }
        failback = Self.resolved(.failback, config, levels) { if case .failback(let f) = $0 { f } else { nil } }
        noPathRetry = Self.resolved(.no_path_retry, config, levels) { if case .noPathRetry(let n) = $0 { n } else { nil } }
        sanPathErrThreshold = Self.disabledOrInt(.san_path_err_threshold, config, levels)
        sanPathErrForgetRate = Self.disabledOrInt(.san_path_err_forget_rate, config, levels)
        sanPathErrRecoveryTime = Self.disabledOrInt(.san_path_err_recovery_time, config, levels)
        delayChecksIgnored = false
        effectiveNoPathRetry =
            noPathRetry.origin == .internalDefault && Self.containsWord(features.value, "queue_if_no_path")
            ? .queue : noPathRetry.value
        applyDelayChecks(
            watch: Self.disabledOrInt(.delay_watch_checks, config, levels).value,
            wait: Self.disabledOrInt(.delay_wait_checks, config, levels).value,
            maxCheckInterval: config.maxPollingInterval)
    }

    /// 0.9.4's select_delay_checks: the deprecated `delay_watch_checks` and `delay_wait_checks` become
    /// the `san_path_err_*` settings (threshold 1, forget rate `watch`, recovery time `wait` times the
    /// longest check interval), unless a `san_path_err_*` keyword is set: then they are ignored.
    private mutating func applyDelayChecks(watch: Int?, wait: Int?, maxCheckInterval: Int) {
        guard watch != nil || wait != nil else { return }
        guard sanPathErrThreshold.value == nil && sanPathErrForgetRate.value == nil && sanPathErrRecoveryTime.value == nil else {
            delayChecksIgnored = true
            return
        }
        let origin: SettingOrigin = watch != nil ? .impliedByDelayWatchChecks : .impliedByDelayWaitChecks
        sanPathErrThreshold = Resolved(value: 1, origin: origin, location: nil)
        if let watch { sanPathErrForgetRate = Resolved(value: watch, origin: .impliedByDelayWatchChecks, location: nil) }
        if let wait {
            sanPathErrRecoveryTime = Resolved(value: wait * maxCheckInterval, origin: .impliedByDelayWaitChecks, location: nil)
        }
    }

    /// A keyword every configuration resolves (the built-in defaults set it).
    private static func resolved<T>(
        _ k: ConfigKeyword, _ config: Config, _ levels: [Config.Level],
        _ extract: (ConfigValue) -> T?
    ) -> Resolved<T> {
        let r = config.resolve(k, levels)!.0
        return Resolved(value: extract(r.value)!, origin: r.origin, location: r.location)
    }

    private static func disabledOrInt(_ k: ConfigKeyword, _ config: Config, _ levels: [Config.Level]) -> Resolved<Int?> {
        let r = config.resolve(k, levels)!.0
        guard case .disabledOrInt(let n) = r.value else { preconditionFailure("\(k) is not a number or off") }
        return Resolved(value: n, origin: r.origin, location: r.location)
    }

    /// Whether `word` is one of the space-separated words of `text`, without allocating (this runs at
    /// every build).
    static func containsWord(_ text: String, _ word: String) -> Bool {
        let u = text.utf8
        var start = u.startIndex
        while start < u.endIndex {
            let end = u[start...].firstIndex(of: UInt8(ascii: " ")) ?? u.endIndex
            if u[start..<end].elementsEqual(word.utf8) { return true }
            start = end == u.endIndex ? end : u.index(after: end)
        }
        return false
    }

    public func value(_ keyword: ConfigKeyword) -> Resolved<ConfigValue>? { config.resolve(keyword, levels)?.0 }

    public var pathGroupingPolicy: Resolved<PathGroupingPolicy> {
        typed(.path_grouping_policy) { if case .pathGroupingPolicy(let p) = $0 { p } else { nil } }!
    }
    public var pathSelector: Resolved<String> { str(.path_selector)! }
    /// nil: no handler configured (the kernel may have attached one).
    public var hardwareHandler: Resolved<String>? { str(.hardware_handler) }
    public var rrWeight: Resolved<RRWeight> { typed(.rr_weight) { if case .rrWeight(let w) = $0 { w } else { nil } }! }
    public var rrMinIORequests: Resolved<Int> { number(.rr_min_io_rq)! }
    public var flushOnLastDelete: Resolved<Bool> { bool(.flush_on_last_del)! }
    public var userFriendlyNames: Resolved<Bool> { bool(.user_friendly_names)! }
    public var aliasPrefix: Resolved<String> { str(.alias_prefix)! }
    public var deferredRemove: Resolved<Bool> { bool(.deferred_remove)! }
    public var skipKpartx: Resolved<Bool> { bool(.skip_kpartx)! }
    public var retainAttachedHardwareHandler: Resolved<Bool> { bool(.retain_attached_hw_handler)! }
    /// The handler the map's table names, chosen as 0.9.4 does: one the kernel attached to a path wins
    /// (`retain_attached_hw_handler`); else the configured one, but `1 alua` follows the paths' TPGS:
    /// taken when every path reports ALUA and nothing configures a handler, dropped when one does not.
    public func hardwareHandler(for paths: [PathIdentity]) -> String? {
        if retainAttachedHardwareHandler.value, let attached = paths.lazy.compactMap(\.attachedHandler).first {
            return "1 \(attached)"
        }
        let allALUA = !paths.isEmpty && paths.allSatisfy { $0.tpgs > 0 }
        guard let configured = hardwareHandler, configured.value != "0" || configured.origin != .internalDefault else {
            return allALUA ? "1 alua" : nil
        }
        return configured.value == "1 alua" && !allALUA ? nil : configured.value
    }
    public var ghostDelay: Resolved<Int?> { disabledOrInt(.ghost_delay)! }
    /// nil: leave the device's own value.
    public var maxSectorsKB: Resolved<Int>? { number(.max_sectors_kb) }
}

extension ResolvedSettings {
    /// `keyword = value (setting: origin)` for each keyword that resolves, as multipath.conf spells the
    /// value: what the daemon logs at -v3 when it sets up a path or a map.
    public func originLines(_ keywords: [ConfigKeyword]) -> [String] {
        keywords.compactMap { k in
            value(k).map { "\(k.rawValue) = \(k.kind.render($0.value)) \($0.origin)" }
        }
    }
}

extension ResolvedMapSettings {
    /// What the daemon logs at -v3 when it loads the map: the settings whose origin an administrator
    /// most often needs, and the `san_path_err_*` ones as the checker uses them (possibly implied by
    /// `delay_*_checks`, which 0.9.4 also says when it ignores them).
    public var loggedOrigins: [String] {
        var lines = originLines(Self.loggedKeywords)
        for (k, r) in [
            (ConfigKeyword.san_path_err_threshold, sanPathErrThreshold), (.san_path_err_forget_rate, sanPathErrForgetRate),
            (.san_path_err_recovery_time, sanPathErrRecoveryTime)
        ] {
            if let n = r.value { lines.append("\(k.rawValue) = \(n) \(r.origin)") }
        }
        if delayChecksIgnored {
            lines.append("both san_path_err and delay_checks error detection options selected, ignoring delay_checks options")
        }
        return lines
    }

    /// The map settings whose origin an administrator most often needs.
    public static let loggedKeywords: [ConfigKeyword] = [
        .path_grouping_policy, .path_selector, .features, .hardware_handler, .failback, .no_path_retry,
        .rr_weight, .rr_min_io_rq, .flush_on_last_del, .user_friendly_names, .alias_prefix, .max_sectors_kb
    ]
}
