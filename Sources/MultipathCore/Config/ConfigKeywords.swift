/// Every keyword multipath-tools 0.9.4 registers (213 registrations over 85 names). Cases are spelled
/// exactly as in multipath.conf so that a keyword is found by grepping for it.
public enum ConfigKeyword: String, Hashable, Sendable, CaseIterable {
    // Sections and subsections.
    case defaults, blacklist, blacklist_exceptions, devices, overrides, multipaths
    case device, multipath, `protocol`
    // Attributes.
    case verbosity, polling_interval, max_polling_interval, reassign_maps, multipath_dir, path_selector
    case path_grouping_policy, uid_attrs, uid_attribute, getuid_callout, prio, prio_args, features
    case path_checker, checker, alias_prefix, failback, rr_min_io, rr_min_io_rq, max_fds, rr_weight
    case no_path_retry, queue_without_daemon, checker_timeout, allow_usb_devices, pg_timeout
    case flush_on_last_del, user_friendly_names, mode, uid, gid, fast_io_fail_tmo, dev_loss_tmo, eh_deadline
    case bindings_file, wwids_file, prkeys_file, log_checker_err, reservation_key, all_tg_pt
    case retain_attached_hw_handler, detect_prio, detect_checker, force_sync, strict_timing, deferred_remove
    case partition_delimiter, config_dir, delay_watch_checks, delay_wait_checks, san_path_err_threshold
    case san_path_err_forget_rate, san_path_err_recovery_time, marginal_path_err_sample_time
    case marginal_path_err_rate_threshold, marginal_path_err_recheck_gap_time, marginal_path_double_failed_time
    case find_multipaths, uxsock_timeout, retrigger_tries, retrigger_delay, missing_uev_wait_timeout
    case skip_kpartx, disable_changed_wwids, remove_retries, max_sectors_kb, ghost_delay
    case find_multipaths_timeout, enable_foreign, marginal_pathgroups, recheck_wwid
    case devnode, wwid, property, vendor, product, revision, product_blacklist, hardware_handler
    case vpd_vendor, alias, type
    // Our extension (not in 0.9.4): how soon a failed path is probed again.
    case failed_path_reprobe_ms

    var kind: ValueKind {
        switch self {
        case .verbosity: .cappedInt(0...4)
        case .polling_interval, .max_polling_interval, .uxsock_timeout, .retrigger_tries, .retrigger_delay,
            .missing_uev_wait_timeout, .uid, .gid:
            .unsigned(zeroIsUnset: false)
        case .rr_min_io, .rr_min_io_rq, .checker_timeout, .max_sectors_kb: .unsigned(zeroIsUnset: true)
        case .remove_retries: .cappedInt(0...Int(Int32.max))
        case .find_multipaths_timeout: .cappedInt(Int(Int32.min)...Int(Int32.max))
        case .mode: .octal
        case .reassign_maps, .queue_without_daemon, .allow_usb_devices, .flush_on_last_del, .user_friendly_names,
            .all_tg_pt, .retain_attached_hw_handler, .detect_prio, .detect_checker, .force_sync, .strict_timing,
            .deferred_remove, .skip_kpartx, .recheck_wwid:
            .yesNo
        case .delay_watch_checks, .delay_wait_checks, .san_path_err_threshold, .san_path_err_forget_rate,
            .san_path_err_recovery_time, .marginal_path_err_sample_time, .marginal_path_err_rate_threshold,
            .marginal_path_err_recheck_gap_time, .marginal_path_double_failed_time, .ghost_delay:
            .disabledOrInt
        case .failback: .failback
        case .no_path_retry: .noPathRetry
        case .path_grouping_policy: .pathGroupingPolicy
        case .rr_weight: .rrWeight
        case .find_multipaths: .findMultipaths
        case .log_checker_err: .logCheckerErr
        case .fast_io_fail_tmo, .eh_deadline: .scsiTimeout
        case .dev_loss_tmo: .devLossTimeout
        case .max_fds: .maxFDs
        case .marginal_pathgroups: .marginalPathgroups
        case .vpd_vendor: .vpdVendor
        case .path_checker, .checker: .checkerName
        case .prio: .prioritizerName
        case .reservation_key: .bareString
        case .failed_path_reprobe_ms: .millisecondsOrOff
        case .multipath_dir, .getuid_callout, .pg_timeout, .config_dir, .disable_changed_wwids: .deprecated
        default: .string
        }
    }

    /// Whether the daemon honours the keyword. Reported to the administrator when set.
    public enum Status: Hashable, Sendable {
        case implemented
        /// Accepted and ignored, reported once at load with file and line.
        case notSupported(reason: String)
        /// Ignored by multipath-tools 0.9.4 itself ("ignoring deprecated option").
        case deprecated
    }

    public var status: Status {
        switch self {
        case .multipath_dir, .getuid_callout, .pg_timeout, .config_dir, .disable_changed_wwids: .deprecated
        case .uid_attrs: .notSupported(reason: "uevent merging by WWID is not implemented")
        case .reassign_maps: .notSupported(reason: "maps are not reassigned")
        case .mode, .uid, .gid: .notSupported(reason: "device node ownership is left to udev")
        // 0.9.4's daemon never reads it either: its own registrations (paths added or reinstated) go to
        // one I_T nexus each.
        case .all_tg_pt: .notSupported(reason: "read by mpathpersist itself, as in 0.9.4; the daemon's registrations do not use it")
        case .strict_timing: .notSupported(reason: "checks run on coalesced timers, not a one-second tick")
        case .force_sync: .notSupported(reason: "checkers are always asynchronous")
        case .partition_delimiter: .notSupported(reason: "partition mappings are not renamed by the daemon")
        case .marginal_path_err_sample_time, .marginal_path_err_rate_threshold, .marginal_path_err_recheck_gap_time,
            .marginal_path_double_failed_time:
            .notSupported(reason: "I/O error accounting (marginal_path) is not implemented")
        case .enable_foreign: .notSupported(reason: "foreign multipath libraries are not loaded")
        case .vpd_vendor: .notSupported(reason: "vendor-specific VPD pages are not read")
        case .remove_retries: .notSupported(reason: "it applies to the multipath command, not the daemon")
        // 0.9.4 reads it only for dm-multipath before 1.1.0 (bio-based); every kernel since uses rr_min_io_rq.
        case .rr_min_io: .notSupported(reason: "request-based dm-multipath uses rr_min_io_rq, as 0.9.4 does")
        default: .implemented
        }
    }
}

// Hashed by case, not by name: Swift's default for an enum with raw values hashes the raw String, and
// resolving settings looks keywords and sections up hundreds of times per path (and per reconfigure).
// A case without payload is stored as its tag alone, so its bytes identify it (`KeywordTableTests.eachCaseHasItsOwnBytes`).
extension ConfigKeyword {
    public func hash(into hasher: inout Hasher) { withUnsafeBytes(of: self) { hasher.combine(bytes: $0) } }
}

extension ConfigSection {
    public func hash(into hasher: inout Hasher) { withUnsafeBytes(of: self) { hasher.combine(bytes: $0) } }
}

/// Where a keyword may appear. Subsections are named by their path (`devices/device`).
public enum ConfigSection: String, Hashable, Sendable, CaseIterable {
    case top = ""
    case defaults
    case blacklist
    case blacklistDevice = "blacklist/device"
    case blacklistExceptions = "blacklist_exceptions"
    case exceptionsDevice = "blacklist_exceptions/device"
    case devices
    case device = "devices/device"
    case overrides
    case overridesProtocol = "overrides/protocol"
    case multipaths
    case multipath = "multipaths/multipath"

    /// The keywords of this section in 0.9.4's registration order, which is also `multipath -t`'s print order.
    public var keywords: [ConfigKeyword] {
        switch self {
        case .top: [.defaults, .blacklist, .blacklist_exceptions, .devices, .overrides, .multipaths]
        case .defaults:
            [
                .verbosity, .polling_interval, .max_polling_interval, .reassign_maps, .multipath_dir,
                .path_selector, .path_grouping_policy, .uid_attrs, .uid_attribute, .getuid_callout, .prio, .prio_args,
                .features, .path_checker, .checker, .alias_prefix, .failback, .rr_min_io, .rr_min_io_rq, .max_fds,
                .rr_weight, .no_path_retry, .queue_without_daemon, .checker_timeout, .allow_usb_devices, .pg_timeout,
                .flush_on_last_del, .user_friendly_names, .mode, .uid, .gid, .fast_io_fail_tmo, .dev_loss_tmo,
                .eh_deadline, .bindings_file, .wwids_file, .prkeys_file, .log_checker_err, .reservation_key, .all_tg_pt,
                .retain_attached_hw_handler, .detect_prio, .detect_checker, .force_sync, .strict_timing,
                .deferred_remove, .partition_delimiter, .config_dir, .delay_watch_checks, .delay_wait_checks,
                .san_path_err_threshold, .san_path_err_forget_rate, .san_path_err_recovery_time,
                .marginal_path_err_sample_time, .marginal_path_err_rate_threshold, .marginal_path_err_recheck_gap_time,
                .marginal_path_double_failed_time, .find_multipaths, .uxsock_timeout, .retrigger_tries,
                .retrigger_delay, .missing_uev_wait_timeout, .skip_kpartx, .disable_changed_wwids, .remove_retries,
                .max_sectors_kb, .ghost_delay, .find_multipaths_timeout, .enable_foreign, .marginal_pathgroups,
                .recheck_wwid, .failed_path_reprobe_ms
            ]
        case .blacklist, .blacklistExceptions: [.devnode, .wwid, .property, .protocol, .device]
        case .blacklistDevice, .exceptionsDevice: [.vendor, .product]
        case .devices: [.device]
        case .device:
            [
                .vendor, .product, .revision, .product_blacklist, .path_grouping_policy, .uid_attribute,
                .getuid_callout, .path_selector, .path_checker, .checker, .alias_prefix, .features, .hardware_handler,
                .prio, .prio_args, .failback, .rr_weight, .no_path_retry, .rr_min_io, .rr_min_io_rq, .pg_timeout,
                .flush_on_last_del, .fast_io_fail_tmo, .dev_loss_tmo, .eh_deadline, .user_friendly_names,
                .retain_attached_hw_handler, .detect_prio, .detect_checker, .deferred_remove, .delay_watch_checks,
                .delay_wait_checks, .san_path_err_threshold, .san_path_err_forget_rate, .san_path_err_recovery_time,
                .marginal_path_err_sample_time, .marginal_path_err_rate_threshold, .marginal_path_err_recheck_gap_time,
                .marginal_path_double_failed_time, .skip_kpartx, .max_sectors_kb, .ghost_delay, .all_tg_pt,
                .vpd_vendor, .recheck_wwid
            ]
        case .overrides:
            [
                .path_grouping_policy, .uid_attribute, .getuid_callout, .path_selector, .path_checker,
                .checker, .alias_prefix, .features, .prio, .prio_args, .failback, .rr_weight, .no_path_retry,
                .rr_min_io, .rr_min_io_rq, .flush_on_last_del, .fast_io_fail_tmo, .dev_loss_tmo, .eh_deadline,
                .user_friendly_names, .retain_attached_hw_handler, .detect_prio, .detect_checker, .deferred_remove,
                .delay_watch_checks, .delay_wait_checks, .san_path_err_threshold, .san_path_err_forget_rate,
                .san_path_err_recovery_time, .marginal_path_err_sample_time, .marginal_path_err_rate_threshold,
                .marginal_path_err_recheck_gap_time, .marginal_path_double_failed_time, .skip_kpartx, .max_sectors_kb,
                .ghost_delay, .all_tg_pt, .recheck_wwid, .protocol
            ]
        case .overridesProtocol: [.type, .fast_io_fail_tmo, .dev_loss_tmo, .eh_deadline]
        case .multipaths: [.multipath]
        case .multipath:
            [
                .wwid, .alias, .path_grouping_policy, .path_selector, .prio, .prio_args, .failback,
                .rr_weight, .no_path_retry, .rr_min_io, .rr_min_io_rq, .pg_timeout, .flush_on_last_del, .features,
                .mode, .uid, .gid, .reservation_key, .user_friendly_names, .deferred_remove, .delay_watch_checks,
                .delay_wait_checks, .san_path_err_threshold, .san_path_err_forget_rate, .san_path_err_recovery_time,
                .marginal_path_err_sample_time, .marginal_path_err_rate_threshold, .marginal_path_err_recheck_gap_time,
                .marginal_path_double_failed_time, .skip_kpartx, .max_sectors_kb, .ghost_delay
            ]
        }
    }

    /// Whether the keyword belongs to this section (a precomputed set: resolution asks this a lot).
    func accepts(_ keyword: ConfigKeyword) -> Bool { Self.members[self]!.contains(keyword) }

    private static let members: [ConfigSection: Set<ConfigKeyword>] =
        Dictionary(uniqueKeysWithValues: allCases.map { ($0, Set($0.keywords)) })

    /// The section a keyword opens from here, if it is a (sub)section keyword.
    func subsection(_ keyword: ConfigKeyword) -> ConfigSection? {
        switch (self, keyword) {
        case (.top, .defaults): .defaults
        case (.top, .blacklist): .blacklist
        case (.top, .blacklist_exceptions): .blacklistExceptions
        case (.top, .devices): .devices
        case (.top, .overrides): .overrides
        case (.top, .multipaths): .multipaths
        case (.blacklist, .device): .blacklistDevice
        case (.blacklistExceptions, .device): .exceptionsDevice
        case (.devices, .device): .device
        case (.overrides, .protocol): .overridesProtocol
        case (.multipaths, .multipath): .multipath
        default: nil
        }
    }

    /// The name 0.9.4 uses in "invalid keyword in the X section" messages.
    var displayName: String { rawValue.split(separator: "/").last.map(String.init) ?? "top" }
}

/// The built-in defaults: what applies when no section sets a keyword ("(setting: multipath internal)").
/// Values are those `multipath -t` of 0.9.4 prints for an empty configuration, except `force_sync` and
/// `retrigger_tries`, which 0.9.4 misprints (its real defaults are `no` and 3), and `max_polling_interval`,
/// which is derived from `polling_interval` (see `Config.defaultSetting`).
let builtinDefaults: [ConfigKeyword: ConfigValue] = [
    .verbosity: .int(2), .polling_interval: .int(5), .reassign_maps: .bool(false),
    .path_selector: .string("service-time 0"), .path_grouping_policy: .pathGroupingPolicy(.failover),
    .uid_attribute: .string("ID_SERIAL"), .prio: .string("const"), .prio_args: .string(""),
    .features: .string("0"), .path_checker: .string("tur"), .alias_prefix: .string("mpath"),
    .failback: .failback(.manual), .rr_min_io: .int(1000), .rr_min_io_rq: .int(1), .max_fds: .maxFDs(nil),
    .rr_weight: .rrWeight(.uniform), .queue_without_daemon: .bool(false), .allow_usb_devices: .bool(false),
    .flush_on_last_del: .bool(false), .user_friendly_names: .bool(false), .fast_io_fail_tmo: .scsiTimeout(.seconds(5)),
    .bindings_file: .string("/etc/multipath/bindings"), .wwids_file: .string("/etc/multipath/wwids"),
    .prkeys_file: .string("/etc/multipath/prkeys"), .log_checker_err: .logCheckerErr(.always),
    .all_tg_pt: .bool(false), .retain_attached_hw_handler: .bool(true), .detect_prio: .bool(true),
    .detect_checker: .bool(true), .force_sync: .bool(false), .strict_timing: .bool(false),
    .deferred_remove: .bool(false), .delay_watch_checks: .disabledOrInt(nil), .delay_wait_checks: .disabledOrInt(nil),
    .san_path_err_threshold: .disabledOrInt(nil), .san_path_err_forget_rate: .disabledOrInt(nil),
    .san_path_err_recovery_time: .disabledOrInt(nil), .marginal_path_err_sample_time: .disabledOrInt(nil),
    .marginal_path_err_rate_threshold: .disabledOrInt(nil), .marginal_path_err_recheck_gap_time: .disabledOrInt(nil),
    .marginal_path_double_failed_time: .disabledOrInt(nil), .find_multipaths: .findMultipaths(.strict),
    .uxsock_timeout: .int(4000), .retrigger_tries: .int(3), .retrigger_delay: .int(10),
    .missing_uev_wait_timeout: .int(30), .skip_kpartx: .bool(false), .remove_retries: .int(0),
    .ghost_delay: .disabledOrInt(nil), .find_multipaths_timeout: .int(-10), .enable_foreign: .string("NONE"),
    .marginal_pathgroups: .onOff(false), .recheck_wwid: .bool(false), .failed_path_reprobe_ms: .disabledOrInt(100),
    // Not printed by `multipath -t`, but what 0.9.4 uses when nothing is set.
    .no_path_retry: .noPathRetry(.fail)
]
