/// Typed values of multipath.conf attributes. Each enum prints back the words multipath.conf uses.

public enum Failback: Hashable, Sendable {
    case immediate
    case manual
    case followover
    /// Fail back this many seconds after the better group came back.
    case deferred(seconds: Int)
}

public enum NoPathRetry: Hashable, Sendable {
    case fail
    case queue
    /// Queue for this many checker intervals, then fail.
    case retries(Int)
}

public enum PathGroupingPolicy: String, Hashable, Sendable, CaseIterable {
    case failover
    case multibus
    case groupBySerial = "group_by_serial"
    case groupByPrio = "group_by_prio"
    case groupByNodeName = "group_by_node_name"
}

public enum RRWeight: String, Hashable, Sendable {
    case uniform, priorities
}

/// `find_multipaths`; `no` and `yes` are read as `off` and `on`, as multipath-tools does.
public enum FindMultipathsMode: String, Hashable, Sendable, CaseIterable {
    case off, on, strict, greedy, smart
}

public enum LogCheckerErr: String, Hashable, Sendable {
    case always, once
}

/// `fast_io_fail_tmo` and `eh_deadline`: `off` or seconds.
public enum SCSITimeout: Hashable, Sendable {
    case off
    case seconds(Int)
}

/// `dev_loss_tmo`: seconds, or `infinity` (2^32-1 seconds for the kernel).
public enum DevLossTimeout: Hashable, Sendable {
    case infinity
    case seconds(Int)
}

/// One parsed attribute value. The keyword's `ValueKind` says which case it holds.
public enum ConfigValue: Hashable, Sendable {
    case int(Int)
    case string(String)
    case bool(Bool)
    /// `no` (nil) or a positive number: the `san_path_err_*`, `marginal_path_*`, `delay_*` and `ghost_delay` family.
    case disabledOrInt(Int?)
    case failback(Failback)
    case noPathRetry(NoPathRetry)
    case pathGroupingPolicy(PathGroupingPolicy)
    case rrWeight(RRWeight)
    case findMultipaths(FindMultipathsMode)
    case logCheckerErr(LogCheckerErr)
    case scsiTimeout(SCSITimeout)
    case devLossTimeout(DevLossTimeout)
    /// `max_fds`: nil is `max`.
    case maxFDs(Int?)
    /// `marginal_pathgroups`: on or off (`fpin` is not supported, as in Debian's build).
    case onOff(Bool)
}

/// How a keyword's value is read and printed. Validation follows multipath-tools 0.9.4: an invalid
/// value is reported and the previous value (or the default) stays; an out-of-range number is capped.
enum ValueKind: Sendable {
    case string
    /// A string that multipath-tools prints without quotes (`reservation_key`).
    case bareString
    /// A number >= 0; `zeroIsUnset` where 0.9.4 treats 0 as "not set" (rr_min_io, checker_timeout...).
    case unsigned(zeroIsUnset: Bool)
    /// A number capped into `range`.
    case cappedInt(ClosedRange<Int>)
    case octal
    case yesNo
    case disabledOrInt
    case failback
    case noPathRetry
    case pathGroupingPolicy
    case rrWeight
    case findMultipaths
    case logCheckerErr
    case scsiTimeout
    case devLossTimeout
    case maxFDs
    case marginalPathgroups
    /// `vpd_vendor`: only `hp3par` exists.
    case vpdVendor
    /// `path_checker`: a `CheckerKind` name, kept as text.
    case checkerName
    /// `prio`: a `PrioritizerKind` name, kept as text.
    case prioritizerName
    /// Accepted and ignored, as 0.9.4 does ("ignoring deprecated option").
    case deprecated
    /// `off` (nil) or a number of milliseconds >= 1 (our `failed_path_reprobe_ms`).
    case millisecondsOrOff

    enum Outcome: Equatable {
        case value(ConfigValue)
        /// The value was capped; the message says how.
        case capped(ConfigValue, String)
        /// 0.9.4 reads this as "not set" without complaint.
        case unset
        case invalid
        case unsupported(String)
    }

    func parse(_ text: String) -> Outcome {
        switch self {
        case .string, .bareString: return .value(.string(text))
        case .unsigned(let zeroIsUnset):
            guard let n = Int(text), n >= 0 else { return .invalid }
            return n == 0 && zeroIsUnset ? .unset : .value(.int(n))
        case .cappedInt(let range):
            guard let n = Int(text) else { return .invalid }
            if n < range.lowerBound { return .capped(.int(range.lowerBound), "too small, capping at \(range.lowerBound)") }
            if n > range.upperBound { return .capped(.int(range.upperBound), "too large, capping at \(range.upperBound)") }
            return .value(.int(n))
        case .octal:
            guard let n = Int(text, radix: 8), n >= 0, n <= 0o7777 else { return .invalid }
            return .value(.int(n))
        case .yesNo:
            switch text {
            case "yes", "1": return .value(.bool(true))
            case "no", "0": return .value(.bool(false))
            default: return .invalid
            }
        case .disabledOrInt:
            if text == "no" || text == "0" { return .value(.disabledOrInt(nil)) }
            guard let n = Int(text) else { return .invalid }
            return n < 1 ? .capped(.disabledOrInt(1), "too small, capping at 1") : .value(.disabledOrInt(n))
        case .failback:
            switch text {
            case "immediate": return .value(.failback(.immediate))
            case "manual": return .value(.failback(.manual))
            case "followover": return .value(.failback(.followover))
            default:
                guard let n = Int(text) else { return .invalid }
                return n > 0 ? .value(.failback(.deferred(seconds: n))) : .invalid
            }
        case .noPathRetry:
            switch text {
            case "fail", "0": return .value(.noPathRetry(.fail))
            case "queue": return .value(.noPathRetry(.queue))
            default:
                guard let n = Int(text), n > 0 else { return .invalid }
                return .value(.noPathRetry(.retries(n)))
            }
        case .pathGroupingPolicy:
            return PathGroupingPolicy(rawValue: text).map { .value(.pathGroupingPolicy($0)) } ?? .invalid
        case .rrWeight:
            return RRWeight(rawValue: text).map { .value(.rrWeight($0)) } ?? .invalid
        case .findMultipaths:
            let mode: FindMultipathsMode? =
                switch text {
                case "no", "0": .off
                case "yes", "1": .on
                default: FindMultipathsMode(rawValue: text)
                }
            return mode.map { .value(.findMultipaths($0)) } ?? .invalid
        case .logCheckerErr:
            return LogCheckerErr(rawValue: text).map { .value(.logCheckerErr($0)) } ?? .invalid
        case .scsiTimeout:
            if text == "off" { return .value(.scsiTimeout(.off)) }
            guard let n = Int(text), n >= 0 else { return .invalid }
            return .value(.scsiTimeout(.seconds(n)))
        case .devLossTimeout:
            if text == "infinity" { return .value(.devLossTimeout(.infinity)) }
            guard let n = Int(text), n >= 0 else { return .invalid }
            // 0 is 0.9.4's "not set": the next level's value applies, and `-t` prints none.
            if n == 0 { return .unset }
            return .value(.devLossTimeout(n >= 0xFFFF_FFFF ? .infinity : .seconds(n)))
        case .maxFDs:
            if text == "max" { return .value(.maxFDs(nil)) }
            guard let n = Int(text), n > 0 else { return .invalid }
            return .value(.maxFDs(n))
        case .marginalPathgroups:
            switch text {
            case "on", "yes", "1": return .value(.onOff(true))
            case "off", "no", "0": return .value(.onOff(false))
            case "fpin": return .unsupported("\"fpin\" is not supported")
            default: return .invalid
            }
        case .checkerName:
            guard CheckerKind(rawValue: text) != nil else {
                return .unsupported("\"\(text)\" is not a checker (\(CheckerKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return .value(.string(text))
        case .prioritizerName:
            guard PrioritizerKind(rawValue: text) != nil else {
                return .unsupported(
                    "\"\(text)\" is not a prioritizer (\(PrioritizerKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return .value(.string(text))
        case .vpdVendor:
            return text == "hp3par" ? .value(.string(text)) : .invalid
        case .deprecated:
            return .unset
        case .millisecondsOrOff:
            if text == "off" || text == "no" || text == "0" { return .value(.disabledOrInt(nil)) }
            guard let n = Int(text), n > 0 else { return .invalid }
            return .value(.disabledOrInt(n))
        }
    }

    /// The value as `multipath -t` prints it.
    func render(_ value: ConfigValue) -> String {
        switch value {
        case .int(let n):
            if case .octal = self { return "0" + String(n, radix: 8) }
            return String(n)
        case .string(let s): if case .bareString = self { return s } else { return quote(s) }
        case .bool(let b): return quote(b ? "yes" : "no")
        case .disabledOrInt(let n):
            if case .millisecondsOrOff = self { return n.map(String.init) ?? "off" }
            return n.map(String.init) ?? quote("no")
        case .failback(let f):
            switch f {
            case .immediate: return quote("immediate")
            case .manual: return quote("manual")
            case .followover: return quote("followover")
            case .deferred(let s): return String(s)
            }
        case .noPathRetry(let n):
            switch n {
            case .fail: return quote("fail")
            case .queue: return quote("queue")
            case .retries(let r): return String(r)
            }
        case .pathGroupingPolicy(let p): return quote(p.rawValue)
        case .rrWeight(let w): return quote(w.rawValue)
        case .findMultipaths(let m): return quote(m.rawValue)
        case .logCheckerErr(let l): return quote(l.rawValue)
        case .scsiTimeout(let t):
            switch t {
            case .off: return "off"
            case .seconds(let s): return String(s)
            }
        case .devLossTimeout(let t):
            switch t {
            case .infinity: return quote("infinity")
            case .seconds(let s): return String(s)
            }
        case .maxFDs(let n): return n.map(String.init) ?? quote("max")
        case .onOff(let on): return quote(on ? "on" : "off")
        }
    }
}

/// Quotes a string for multipath.conf: a double quote inside is written twice.
func quote(_ s: String) -> String {
    "\"" + s.replacingAll("\"", with: "\"\"") + "\""
}

extension String {
    /// `replacingOccurrences` without Foundation.
    func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
