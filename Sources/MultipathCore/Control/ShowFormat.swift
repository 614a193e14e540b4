/// The text of 0.9.4's `show` replies: format wildcards, tables padded to the widest value (header
/// included), raw rows, the `multipath -ll` topology, JSON schema 0.1, wildcards, status, daemon.
public enum ShowFormat {
    public static let defaultPaths = "%i %d %D %p %t %T %o %C"
    public static let defaultMaps = "%n %d %w"
    public static let mapsStatus = "%n %F %Q %N %t %r"
    public static let mapsStats = "%n %0 %1 %2 %3 %4"

    struct Wildcard<Item>: Sendable {
        var letter: Character
        var header: String
        var value: @Sendable (Item) -> String
    }

    static let mapWildcards: [Wildcard<MapSnapshot>] = [
        .init(letter: "n", header: "name") { $0.name },
        .init(letter: "w", header: "uuid") { $0.wwid },
        .init(letter: "d", header: "sysfs") { $0.dmMinor.map { "dm-\($0)" } ?? "" },
        .init(letter: "F", header: "failback") { failback($0.failback) },
        .init(letter: "Q", header: "queueing") { queueing($0.queueing) },
        .init(letter: "N", header: "paths") { "\($0.activePaths)" },
        .init(letter: "r", header: "write_prot") { $0.readOnly.map { $0 ? "ro" : "rw" } ?? "undef" },
        .init(letter: "t", header: "dm-st") { $0.suspended ? "suspend" : "active" },
        .init(letter: "S", header: "size") { size(sectors: $0.sizeSectors) },
        .init(letter: "f", header: "features") { $0.features },
        .init(letter: "x", header: "failures") { "\($0.stats.mapFailures)" },
        .init(letter: "h", header: "hwhandler") { $0.hardwareHandler },
        .init(letter: "A", header: "action") { $0.action },
        .init(letter: "0", header: "path_faults") { "\($0.stats.pathFaults)" },
        .init(letter: "1", header: "switch_grp") { "\($0.stats.switchGroups)" },
        .init(letter: "2", header: "map_loads") { "\($0.stats.mapLoads)" },
        .init(letter: "3", header: "total_q_time") { "\($0.stats.totalQueueingTime)" },
        .init(letter: "4", header: "q_timeouts") { "\($0.stats.queueingTimeouts)" },
        .init(letter: "s", header: "vend/prod/rev") { "\($0.vendor),\($0.product)" },
        .init(letter: "v", header: "vend") { $0.vendor },
        .init(letter: "p", header: "prod") { $0.product },
        .init(letter: "e", header: "rev") { $0.revision },
        .init(letter: "G", header: "foreign") { _ in "--" },
        .init(letter: "g", header: "vpd page data") { _ in "[undef]" }
    ]

    static let pathWildcards: [Wildcard<PathSnapshot>] = [
        .init(letter: "w", header: "uuid") { $0.identity.wwid ?? "" },
        .init(letter: "i", header: "hcil") { $0.identity.hctl?.description ?? "#:#:#:#" },
        .init(letter: "d", header: "dev") { $0.identity.name.isEmpty ? "-" : $0.identity.name },
        .init(letter: "D", header: "dev_t") { "\($0.identity.devT)" },
        .init(letter: "t", header: "dm_st") { dmState($0.dmActive) },
        .init(letter: "o", header: "dev_st") { $0.deviceState ?? "unknown" },
        .init(letter: "T", header: "chk_st") { checkerState($0.checkerState) },
        .init(letter: "s", header: "vend/prod/rev") { "\($0.identity.vendor),\($0.identity.product)" },
        .init(letter: "c", header: "checker") { $0.checker ?? "" },
        .init(letter: "C", header: "next_check") { $0.nextCheck.map(progress) ?? "orphan" },
        .init(letter: "p", header: "pri") { "\($0.priority)" },
        .init(letter: "S", header: "size") { size(sectors: $0.identity.sizeSectors) },
        .init(letter: "z", header: "serial") { $0.identity.serial },
        .init(letter: "M", header: "marginal_st") { $0.marginal ? "marginal" : "normal" },
        .init(letter: "m", header: "multipath") { $0.mapName ?? "[orphan]" },
        .init(letter: "N", header: "host WWNN") { $0.identity.fc?.hostNodeName ?? "[undef]" },
        .init(letter: "n", header: "target WWNN") { $0.identity.fc?.targetNodeName ?? "[undef]" },
        .init(letter: "R", header: "host WWPN") { $0.identity.fc?.hostPortName ?? "[undef]" },
        .init(letter: "r", header: "target WWPN") { $0.identity.fc?.targetPortName ?? "[undef]" },
        .init(letter: "a", header: "host adapter") { _ in "[undef]" },
        .init(letter: "G", header: "foreign") { _ in "--" },
        .init(letter: "g", header: "vpd page data") { $0.vpdData ?? "[undef]" },
        .init(letter: "0", header: "failures") { "\($0.failures)" },
        .init(letter: "P", header: "protocol") { "\($0.identity.transport)" },
        .init(letter: "I", header: "init_st") { $0.initState },
        .init(letter: "L", header: "LUN hex") { lunHex($0.identity.hctl?.lun ?? 0) }
    ]

    /// Listed by `show wildcards` only: topology prints path groups with a fixed layout.
    static let pathGroupWildcards: [(Character, String)] = [("s", "selector"), ("p", "pri"), ("t", "dm_st"), ("M", "marginal_st")]

    // MARK: Tables

    /// `show paths [raw] format F`: a header and padded columns, or (raw) bare rows.
    public static func paths(_ paths: [PathSnapshot], format: String = defaultPaths, raw: Bool = false) -> String {
        table(paths, format: format, wildcards: pathWildcards, header: !raw, pad: !raw)
    }

    /// `show maps`, `show maps status|stats`, `show maps [raw] format F`.
    public static func maps(_ maps: [MapSnapshot], format: String = defaultMaps, raw: Bool = false) -> String {
        table(maps, format: format, wildcards: mapWildcards, header: !raw, pad: !raw)
    }

    /// `show map M [raw] format F`: one row without a header, padded (raw or not, as 0.9.4 does) to the
    /// columns of the whole `show maps` table: every map's values and the headers.
    public static func map(_ map: MapSnapshot, among all: [MapSnapshot], format: String) -> String {
        let layout = Layout(format, mapWildcards)
        var out: [UInt8] = []
        layout.line(layout.values(map), widths: layout.widths(all.map(layout.values), header: true), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Nothing at all for no rows: the server then answers `ok`, as 0.9.4 does.
    static func table<Item>(_ items: [Item], format: String, wildcards: [Wildcard<Item>], header: Bool, pad: Bool) -> String {
        guard !items.isEmpty else { return "" }
        let layout = Layout(format, wildcards)
        let rows = items.map(layout.values)
        let widths = layout.widths(rows, header: true)
        // Bytes, not a String: appending to a String costs several times more per piece.
        var out: [UInt8] = []
        out.reserveCapacity((rows.count + 1) * layout.lineLength(widths))
        if header { layout.line(layout.fields.map(\.wildcard.header), widths: pad ? widths : nil, into: &out) }
        for row in rows { layout.line(row, widths: pad ? widths : nil, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// A format parsed once: each wildcard with the literal text before it, then the text after the
    /// last. An unknown wildcard (`%%` included) prints nothing, as in 0.9.4. Widths count bytes, as
    /// 0.9.4's padding does.
    struct Layout<Item> {
        var fields: [(prefix: String, wildcard: Wildcard<Item>)] = []
        var suffix = ""

        init(_ format: String, _ wildcards: [Wildcard<Item>]) {
            var chars = format.makeIterator()
            while let c = chars.next() {
                guard c == "%" else {
                    suffix.append(c)
                    continue
                }
                guard let letter = chars.next() else { break }
                if let w = wildcards.first(where: { $0.letter == letter }) {
                    fields.append((suffix, w))
                    suffix = ""
                }
            }
        }

        /// The bytes of a padded line: literals, columns and the newline.
        func lineLength(_ widths: [Int]) -> Int {
            fields.reduce(suffix.utf8.count + 1) { $0 + $1.prefix.utf8.count } + widths.reduce(0, +)
        }

        func values(_ item: Item) -> [String] { fields.map { $0.wildcard.value(item) } }

        func widths(_ rows: [[String]], header: Bool) -> [Int] {
            var widths = fields.map { header ? $0.wildcard.header.utf8.count : 0 }
            for row in rows {
                for (i, value) in row.enumerated() { widths[i] = max(widths[i], value.utf8.count) }
            }
            return widths
        }

        func line(_ values: [String], widths: [Int]?, into out: inout [UInt8]) {
            for (i, field) in fields.enumerated() {
                out += field.prefix.utf8
                out += values[i].utf8
                if let widths, widths[i] > values[i].utf8.count {
                    out += repeatElement(UInt8(ascii: " "), count: widths[i] - values[i].utf8.count)
                }
            }
            out += suffix.utf8
            out.append(UInt8(ascii: "\n"))
        }
    }

    // MARK: Topology

    /// `show topology`, `show map M topology` and `multipath -ll`: per map a title, a size line, and a
    /// tree of path groups and paths. Path columns are as wide as the widest value among `layoutPaths`
    /// (by default the maps' own paths).
    public static func topology(_ maps: [MapSnapshot], layoutPaths: [PathSnapshot]? = nil) -> String {
        let all = layoutPaths ?? maps.flatMap { $0.groups.flatMap(\.paths) }
        let pathFormat = "%i %d %D %t %T %o"
        let layout = Layout(pathFormat, pathWildcards)
        let widths = layout.widths(all.map(layout.values), header: false)
        var out = ""
        for m in maps {
            if !m.action.isEmpty { out += m.action + ": " }
            out += m.name
            if m.name != m.wwid { out += " (\(m.wwid))" }
            out += " \(m.dmMinor.map { "dm-\($0)" } ?? "") \(m.vendor),\(m.product)\n"
            out +=
                "size=\(size(sectors: m.sizeSectors)) features='\(m.features)' hwhandler='\(m.hardwareHandler)' wp=\(m.readOnly.map { $0 ? "ro" : "rw" } ?? "undef")\n"
            for (g, group) in m.groups.enumerated() {
                let lastGroup = g == m.groups.count - 1
                out += (lastGroup ? "`-+- " : "|-+- ")
                out += "policy='\(group.selector)' prio=\(group.priority) status=\(group.state?.rawValue ?? "undef")\n"
                for (p, path) in group.paths.enumerated() {
                    out += (lastGroup ? "  " : "| ") + (p == group.paths.count - 1 ? "`- " : "|- ")
                    var row: [UInt8] = []
                    layout.line(layout.values(path), widths: widths, into: &row)
                    // The last column is padded like the others; the tree's lines are not.
                    row.removeLast()
                    while row.last == UInt8(ascii: " ") { row.removeLast() }
                    out += String(decoding: row, as: UTF8.self) + "\n"
                }
            }
        }
        return out
    }

    // MARK: JSON (schema 0.1)

    public static func json(maps: [MapSnapshot]) -> String {
        var out = "{\n   \"major_version\": 0,\n   \"minor_version\": 1,\n   \"maps\": ["
        out += maps.map { jsonMap($0) }.joined(separator: ",")
        return out + "]\n}\n"
    }

    public static func json(map: MapSnapshot) -> String {
        "{\n   \"major_version\": 0,\n   \"minor_version\": 1,\n   \"map\":" + jsonMap(map) + "\n}\n"
    }

    private static func jsonMap(_ m: MapSnapshot) -> String {
        let pad = "      "
        var out = "{\n"
        out += jsonFields(
            pad,
            [
                ("name", .text(m.name)), ("uuid", .text(m.wwid)), ("sysfs", .text(m.dmMinor.map { "dm-\($0)" } ?? "")),
                ("failback", .text(failback(m.failback))), ("queueing", .text(queueing(m.queueing))),
                ("paths", .number(m.activePaths)), ("write_prot", .text(m.readOnly.map { $0 ? "ro" : "rw" } ?? "undef")),
                ("dm_st", .text(m.suspended ? "suspend" : "active")), ("features", .text(m.features)),
                ("hwhandler", .text(m.hardwareHandler)), ("action", .text(m.action)),
                ("path_faults", .number(m.stats.pathFaults)), ("vend", .text(m.vendor)), ("prod", .text(m.product)),
                ("rev", .text(m.revision)), ("switch_grp", .number(m.stats.switchGroups)),
                ("map_loads", .number(m.stats.mapLoads)), ("total_q_time", .number(m.stats.totalQueueingTime)),
                ("q_timeouts", .number(m.stats.queueingTimeouts))
            ], last: false)
        out += pad + "\"path_groups\": ["
        out += m.groups.enumerated().map { g, group in
            let pad = "         "
            var s =
                "{\n"
                + jsonFields(
                    pad,
                    [
                        ("selector", .text(group.selector)), ("pri", .number(group.priority)),
                        ("dm_st", .text(group.state?.rawValue ?? "undef")), ("marginal_st", .text(group.marginal ? "marginal" : "normal")),
                        ("group", .number(g + 1))
                    ], last: false)
            s += pad + "\"paths\": ["
            s += group.paths.map { p in
                "{\n"
                    + jsonFields(
                        "            ",
                        [
                            ("dev", .text(p.identity.name)), ("dev_t", .text("\(p.identity.devT)")), ("dm_st", .text(dmState(p.dmActive))),
                            ("dev_st", .text(p.deviceState ?? "unknown")), ("chk_st", .text(checkerState(p.checkerState))),
                            ("checker", .text(p.checker ?? "")), ("pri", .number(p.priority)),
                            ("host_wwnn", .text(p.identity.fc?.hostNodeName ?? "[undef]")),
                            ("target_wwnn", .text(p.identity.fc?.targetNodeName ?? "[undef]")),
                            ("host_wwpn", .text(p.identity.fc?.hostPortName ?? "[undef]")),
                            ("target_wwpn", .text(p.identity.fc?.targetPortName ?? "[undef]")),
                            ("host_adapter", .text("[undef]")), ("lun_hex", .text(lunHex(p.identity.hctl?.lun ?? 0))),
                            ("marginal_st", .text(p.marginal ? "marginal" : "normal"))
                        ], last: true) + "         }"
            }.joined(separator: ",")
            return s + "]\n      }"
        }.joined(separator: ",")
        return out + "]\n   }"
    }

    private enum JSONValue {
        case text(String), number(Int)
    }

    private static func jsonFields(_ pad: String, _ fields: [(String, JSONValue)], last: Bool) -> String {
        fields.enumerated().map { i, f in
            let value =
                switch f.1 {
                case .text(let s): "\"" + jsonEscaped(s) + "\""
                case .number(let n): "\(n)"
                }
            return pad + "\"\(f.0)\" : " + value + (last && i == fields.count - 1 ? "\n" : ",\n")
        }.joined()
    }

    static func jsonEscaped(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where c.value < 0x20: out += "\\u00" + (c.value < 0x10 ? "0" : "") + String(c.value, radix: 16)
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    // MARK: Fixed texts

    /// `show wildcards`.
    public static var wildcards: String {
        var out = "multipath format wildcards:\n"
        for w in mapWildcards { out += "%\(w.letter)  \(w.header)\n" }
        out += "\npath format wildcards:\n"
        for w in pathWildcards { out += "%\(w.letter)  \(w.header)\n" }
        out += "\npathgroup format wildcards:\n"
        for (letter, header) in pathGroupWildcards { out += "%\(letter)  \(header)\n" }
        return out
    }

    /// `show daemon`: `pid N idle|running|configure|shutdown`.
    public static func daemon(pid: Int32, state: String) -> String {
        "pid \(pid) \(state)\n"
    }

    // MARK: Values

    static func dmState(_ active: Bool?) -> String {
        active.map { $0 ? "active" : "failed" } ?? "undef"
    }

    static func checkerState(_ state: PathState?) -> String {
        switch state {
        case .up: "ready"
        case .down: "faulty"
        case .shaky: "shaky"
        case .ghost: "ghost"
        case .pending: "i/o pending"
        case .timeout: "i/o timeout"
        case .delayed: "delayed"
        case .wild, .unchecked, nil: "undef"
        }
    }

    static func failback(_ f: MapSnapshot.Failback) -> String {
        switch f {
        case .immediate: "immediate"
        case .followover: "followover"
        case .idle: "-"
        case .countdown(let c): progress(c)
        }
    }

    static func queueing(_ q: MapSnapshot.Queueing) -> String {
        switch q {
        case .unset: "-"
        case .off: "off"
        case .on: "on"
        case .checks(let n): "\(n) chk"
        case .secondsLeft(let n): "\(n) sec"
        }
    }

    /// Ten characters, `X` for the elapsed part: `XX........ 1/4`.
    private static let bars = (0...10).map { String(repeating: "X", count: $0) + String(repeating: ".", count: 10 - $0) }

    static func progress(_ c: Countdown) -> String {
        let done = c.total > 0 ? min(10, max(0, 10 * c.tick / c.total)) : 0
        return bars[done] + " \(c.tick)/\(c.total)"
    }

    /// 0.9.4's sizes: KiB upwards while at least 1024, one decimal below 10 (`16M`, `2.0G`, `9.5K`).
    static func size(sectors: UInt64) -> String {
        var s = Double(sectors / 2)
        var units: [Character] = ["K", "M", "G", "T", "P"]
        var unit = units.removeFirst()
        while s >= 1024, !units.isEmpty {
            s /= 1024
            unit = units.removeFirst()
        }
        if s < 10 {
            let tenths = Int((s * 10).rounded(.toNearestOrEven))
            return "\(tenths / 10).\(tenths % 10)\(unit)"
        }
        return "\(Int(s.rounded(.toNearestOrEven)))\(unit)"
    }

    static func lunHex(_ lun: UInt64) -> String {
        let hex = String(lun, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }
}
