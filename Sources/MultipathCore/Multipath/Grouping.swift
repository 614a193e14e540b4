/// Path grouping, group priorities, the best group and the table text: 0.9.4's pgpolicies.c,
/// switchgroup.c and dmparser.c's assemble_map, as pure functions over member paths.
public struct GroupMember: Hashable, Sendable {
    public var devT: DevT
    public var serial: String
    /// FC target node name (`group_by_node_name`); empty when not FC.
    public var nodeName: String
    /// nil while unknown (0.9.4's PRIO_UNDEF, -1, for grouping).
    public var priority: Int?
    /// Up or ghost: counts towards the group's priority.
    public var isUsable: Bool
    /// Set marginal (by the operator) under `marginal_pathgroups`: grouped apart, after the others.
    public var isMarginal: Bool

    public init(devT: DevT, serial: String = "", nodeName: String = "", priority: Int?, isUsable: Bool, isMarginal: Bool = false) {
        self.devT = devT
        self.serial = serial
        self.nodeName = nodeName
        self.priority = priority
        self.isUsable = isUsable
        self.isMarginal = isMarginal
    }
}

public enum Grouping {
    /// Groups `members` (in map order) by `policy`, then orders the groups best first as 0.9.4's
    /// sort_pathgroups: marginal groups last, then higher priority, then more usable paths; ties keep
    /// their order. Marginal members (0.9.4's `marginal_pathgroups`) are grouped apart from the others.
    public static func group(_ members: [GroupMember], policy: PathGroupingPolicy) -> [[GroupMember]] {
        let groups = groupByPolicy(members.filter { !$0.isMarginal }, policy) + groupByPolicy(members.filter(\.isMarginal), policy)
        let ranked = groups.enumerated().map { (i, g) in (i, priority(of: g), g.first?.isMarginal ?? false) }
        return ranked.sorted { a, b in
            if a.2 != b.2 { return !a.2 }
            if a.1.priority != b.1.priority { return a.1.priority > b.1.priority }
            if a.1.usable != b.1.usable { return a.1.usable > b.1.usable }
            return a.0 < b.0
        }.map { groups[$0.0] }
    }

    private static func groupByPolicy(_ members: [GroupMember], _ policy: PathGroupingPolicy) -> [[GroupMember]] {
        func by<K: Hashable>(_ key: (GroupMember) -> K) -> [[GroupMember]] {
            var order: [K] = []
            var buckets: [K: [GroupMember]] = [:]
            for m in members {
                if buckets[key(m)] == nil { order.append(key(m)) }
                buckets[key(m), default: []].append(m)
            }
            return order.map { buckets[$0]! }
        }
        switch policy {
        case .failover: return members.map { [$0] }
        case .multibus: return members.isEmpty ? [] : [members]
        case .groupBySerial: return by(\.serial)
        case .groupByPrio: return by { $0.priority ?? -1 }
        case .groupByNodeName: return by(\.nodeName)
        }
    }

    /// 0.9.4's path_group_prio_update: the mean priority of the usable paths (0 when none is usable).
    public static func priority(of group: [GroupMember]) -> (priority: Int, usable: Int) {
        let usable = group.filter(\.isUsable)
        guard !usable.isEmpty else { return (0, 0) }
        return (usable.reduce(0) { $0 + max($1.priority ?? 0, 0) } / usable.count, usable.count)
    }

    /// 0.9.4's select_path_group: the one-based number of the group with usable paths and the highest
    /// priority, more usable paths breaking ties; a marginal group only when no other has a usable path;
    /// 1 when no group has a usable path.
    public static func bestGroup(_ groups: [[GroupMember]]) -> Int {
        let normalUsable = groups.contains { g in g.contains { $0.isUsable && !$0.isMarginal } }
        var best = 1, bestPriority = 0, bestUsable = 1
        for (i, g) in groups.enumerated() {
            let (p, usable) = priority(of: g)
            guard usable > 0, !(normalUsable && g.allSatisfy(\.isMarginal)) else { continue }
            if p > bestPriority || (p == bestPriority && usable > bestUsable) {
                (best, bestPriority, bestUsable) = (i + 1, p, usable)
            }
        }
        return best
    }

    /// The table 0.9.4 loads: features (with `queue_if_no_path` when `no_path_retry` is not `fail`), the
    /// hardware handler, then per group `<selector> <args> <nr paths> 1` and per path its dev_t and
    /// `rr_min_io_rq` (times its priority under `rr_weight priorities`). `bioBased`: `queue_mode bio`
    /// whatever the features say.
    public static func table(
        groups: [[GroupMember]], features: String, hardwareHandler: String?, selector: String,
        rrMinIORequests: Int, rrWeight: RRWeight, noPathRetry: NoPathRetry, bioBased: Bool = false
    ) -> MultipathTable {
        var featureWords = Array(features.split(separator: " ").dropFirst().map(String.init))
        featureWords.removeAll { $0 == "queue_if_no_path" }
        if noPathRetry != .fail { featureWords.append("queue_if_no_path") }
        if bioBased {
            if let i = featureWords.firstIndex(of: "queue_mode") { featureWords.removeSubrange(i..<min(i + 2, featureWords.count)) }
            featureWords += ["queue_mode", "bio"]
        }
        let handler = hardwareHandler.map { Array($0.split(separator: " ").dropFirst().map(String.init)) } ?? []
        let selectorWords = selector.split(separator: " ").map(String.init)
        let selectorArgs = selectorWords.count > 2 ? Array(selectorWords.dropFirst(2)) : []
        let tableGroups = groups.map { g in
            MultipathTable.PathGroup(
                selector: selectorWords.first ?? "service-time", selectorArgs: selectorArgs, pathArgCount: 1,
                paths: g.map { m in
                    let weight = rrWeight == .priorities ? max(m.priority ?? 0, 1) : 1
                    return MultipathTable.Path(m.devT, args: [String(rrMinIORequests * weight)])
                })
        }
        return MultipathTable(
            features: featureWords, hardwareHandler: handler,
            initialGroup: groups.isEmpty ? 0 : bestGroup(groups), groups: tableGroups)
    }

    /// Whether a map loaded with `loaded` (as the kernel prints it) already is what `wanted` asks for.
    /// The kernel prints its selector's own path argument count, the handler it has attached, the
    /// current group and queueing as they are now, and `retain_attached_hw_handler` on every bio-based
    /// map (the kernel sets it itself there); none of those make a reload worth it.
    /// `anyOrder`: the same groups of the same paths, each in any order, are the same layout (0.9.4's
    /// pgcmp and pathcmp).
    public static func sameLayout(_ loaded: MultipathTable, _ wanted: MultipathTable, anyOrder: Bool = false) -> Bool {
        func features(_ t: MultipathTable) -> [String] {
            t.features.filter { $0 != "queue_if_no_path" && $0 != "retain_attached_hw_handler" }
        }
        func layout(_ t: MultipathTable) -> [[String]] {
            guard anyOrder else { return t.groups.map { [$0.selector] + $0.paths.map(\.device) } }
            return t.groups.map { [$0.selector] + $0.paths.map(\.device).sorted() }.sorted { $0.lexicographicallyPrecedes($1) }
        }
        return features(loaded) == features(wanted) && layout(loaded) == layout(wanted)
            && (wanted.hardwareHandler.isEmpty || loaded.hardwareHandler.first == wanted.hardwareHandler.first)
    }
}
