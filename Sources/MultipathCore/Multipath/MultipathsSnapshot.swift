/// What `show` prints, taken from the model when a command arrives.
extension Multipaths {
    /// Every path the daemon keeps (orphans it did not blacklist included, in discovery order; 0.9.4 keeps
    /// no blacklisted device) and every map (by name). `dmMinors` gives the `dm-N` number of each map by
    /// name, from the device-mapper device list.
    public func showSnapshot(dmMinors: [String: UInt32], now: Instant) -> (paths: [PathSnapshot], maps: [MapSnapshot]) {
        (pathSnapshots(now: now), mapSnapshots(dmMinors: dmMinors, now: now))
    }

    /// What `show paths` prints: every kept path (of `only`, when given), in discovery order, as 0.9.4.
    public func pathSnapshots(_ only: [PathID]? = nil, now: Instant) -> [PathSnapshot] {
        var mapOf: [DevT: String] = [:]
        mapOf.reserveCapacity(paths.count)
        for map in maps.values { for devT in map.members { mapOf[devT] = map.name } }
        // Sorted as keys: moving the snapshots themselves about costs more than making them.
        let kept = { (d: DevT) in paths[d] != nil || orphans[d].map { !$0.reason.isBlacklisted } == true }
        let order = discovery.sorted(only.map { $0.map(\.devT).filter(kept) } ?? Array(paths.keys) + orphans.keys.filter(kept))
        return order.map { devT in
            paths[devT].map { snapshot($0, mapName: mapOf[devT], now: now) }
                ?? PathSnapshot(identity: orphans[devT]!.identity)
        }
    }

    /// What the map commands print: every map (of `only`, when given) by name, with its groups and their paths.
    public func mapSnapshots(
        _ only: [MapID]? = nil, dmMinors: [String: UInt32],
        now: Instant
    ) -> [MapSnapshot] {
        let chosen = only.map { $0.compactMap { maps[$0.wwid] } } ?? Array(maps.values)
        return chosen.sorted { $0.name < $1.name }.map { map -> MapSnapshot in
            let groups = map.table.groups.enumerated().map { index, group -> PathGroupSnapshot in
                let members = group.paths.compactMap { $0.devT.flatMap { paths[$0] } }
                let prio = Grouping.priority(
                    of: members.map {
                        GroupMember(devT: $0.devT, priority: $0.health.priority, isUsable: $0.health.state.isUsable)
                    }
                ).priority
                let usable = members.contains { $0.health.membership == .active }
                let state: PathGroupSnapshot.State = index + 1 == map.currentGroup ? .active : (usable ? .enabled : .disabled)
                // As the table spells it, with the argument count: `service-time 0`.
                let selector = ([group.selector, String(group.selectorArgs.count)] + group.selectorArgs).joined(separator: " ")
                let marginal = config.marginalPathgroups && !members.isEmpty && members.allSatisfy { admin.marginal.contains($0.devT) }
                return PathGroupSnapshot(
                    selector: selector, priority: prio, state: state, marginal: marginal,
                    paths: members.map { snapshot($0, mapName: map.name, now: now) })
            }
            let failback: MapSnapshot.Failback =
                switch map.settings.failback.value {
                case .immediate: .immediate
                case .followover: .followover
                case .manual, .deferred: .idle
                }
            let queueing: MapSnapshot.Queueing =
                switch map.noPathRetry {
                case .fail: .off
                case .queue: .on
                case .retries(let n):
                    map.queueingEndsAt.map { .secondsLeft(max(0, Int(($0 - now).nanosecondsClamped / 1_000_000_000))) } ?? .checks(n)
                }
            let first = map.members.first.flatMap { paths[$0] }?.identity
            return MapSnapshot(
                name: map.name, wwid: map.wwid.rawValue, dmMinor: dmMinors[map.name], failback: failback, queueing: queueing,
                activePaths: map.members.filter { paths[$0]?.health.membership == .active }.count, readOnly: map.readOnly,
                suspended: map.suspended,
                sizeSectors: map.sizeSectors,
                features: ([String(map.table.features.count)] + map.table.features).joined(separator: " "),
                hardwareHandler: ([String(map.table.hardwareHandler.count)] + map.table.hardwareHandler).joined(separator: " "),
                action: map.shownAction.rawValue,
                stats: .init(map.stats, now: now),
                vendor: first?.vendor ?? "", product: first?.product ?? "", revision: first?.revision ?? "",
                groups: groups)
        }
    }

    /// `dev_st` as 0.9.4 prints it: `unknown` outside a map, else `offline` or `running` as last seen:
    /// the sysfs state read by the checks (a failing path's probe reads it first), so `show` reads no
    /// sysfs, however many paths a fabric took down.
    func snapshot(_ p: MultipathPath, mapName: String?, now: Instant) -> PathSnapshot {
        let seconds = Int(
            ((now - p.health.lastChange).nanosecondsClamped / 1_000_000_000) % max(1, p.health.interval.nanosecondsClamped / 1_000_000_000))
        let state: String? =
            switch (mapName, p.health.state.isUsable) {
            case (nil, _): nil
            case (_, true): "running"
            case (_, false): p.health.deviceOffline ? "offline" : "running"
            }
        return PathSnapshot(
            identity: p.identity, mapName: mapName, dmActive: p.health.membership.isActive,
            deviceState: state, checkerState: p.health.state, checker: p.settings.checker.value.rawValue,
            nextCheck: Countdown(tick: seconds, total: Int(p.health.interval.nanosecondsClamped / 1_000_000_000)),
            priority: p.health.priority ?? -1, marginal: !admin.marginal.isEmpty && admin.marginal.contains(p.devT),
            failures: p.health.failures, checkLatency: p.health.checkLatency)
    }

    /// `show config local` as 0.9.4: the whole configuration, but of the device entries only those that
    /// match a path the daemon keeps, and of the multipaths section only the maps that exist (a map
    /// without an entry is shown by WWID, with its name as a comment).
    public func localConfigText() -> String {
        var used: [Int] = []
        let kept = paths.values.map(\.identity) + orphans.values.filter { !$0.reason.isBlacklisted }.map(\.identity)
        for identity in kept.sorted(by: { $0.devT < $1.devT }) {
            for i in config.pathSettings(for: identity).hardwareMatches where !used.contains(i) { used.append(i) }
        }
        let maps = maps.values.sorted { $0.name < $1.name }.map { (wwid: $0.wwid.rawValue, name: $0.name) }
        return renderConfig(config, local: .init(hardware: used, maps: maps))
    }
}
