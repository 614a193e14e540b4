/// What `show` prints, taken from the model when a command arrives.
extension Multipaths {
    /// Every path the daemon keeps (orphans it did not blacklist included, in device order; 0.9.4 keeps
    /// no blacklisted device) and every map (by name). `dmMinors` gives the `dm-N` number of each map by
    /// name, from the device-mapper device list; `deviceState` a path's sysfs `device/state`.
    public func showSnapshot(dmMinors: [String: UInt32], deviceState: (PathIdentity) -> String?, now: Instant)
        -> (paths: [PathSnapshot], maps: [MapSnapshot]) {
        var mapOf: [DevT: String] = [:]
        for map in maps.values { for devT in map.members { mapOf[devT] = map.name } }

        func snapshot(_ p: MultipathPath) -> PathSnapshot {
            let seconds = Int(((now - p.health.lastChange).nanosecondsClamped / 1_000_000_000) % max(1, p.health.interval.nanosecondsClamped / 1_000_000_000))
            return PathSnapshot(identity: p.identity, mapName: mapOf[p.devT], dmActive: p.health.inTable,
                                deviceState: deviceState(p.identity), checkerState: p.health.state, checker: p.settings.checker.value,
                                nextCheck: Countdown(tick: seconds, total: Int(p.health.interval.nanosecondsClamped / 1_000_000_000)),
                                priority: p.health.priority ?? -1, marginal: admin.marginal.contains(p.devT), failures: p.health.failures,
                                checkLatency: p.health.checkLatency)
        }
        var pathRows = paths.values.sorted { $0.devT < $1.devT }.map(snapshot)
        pathRows += orphans.filter { !$0.value.reason.hasPrefix(Self.blacklistedReason) }.sorted { $0.key < $1.key }.map {
            PathSnapshot(identity: $0.value.identity, deviceState: deviceState($0.value.identity))
        }
        pathRows.sort { $0.identity.devT < $1.identity.devT }

        let mapRows = maps.values.sorted { $0.name < $1.name }.map { map -> MapSnapshot in
            let groups = map.table.groups.enumerated().map { index, group -> PathGroupSnapshot in
                let members = group.paths.compactMap { $0.devT.flatMap { paths[$0] } }
                let prio = Grouping.priority(of: members.map {
                    GroupMember(devT: $0.devT, priority: $0.health.priority, isUsable: $0.health.state.isUsable)
                }).priority
                let usable = members.contains { $0.health.inTable ?? false }
                let state: PathGroupSnapshot.State = index + 1 == map.currentGroup ? .active : (usable ? .enabled : .disabled)
                // As the table spells it, with the argument count: `service-time 0`.
                let selector = ([group.selector, String(group.selectorArgs.count)] + group.selectorArgs).joined(separator: " ")
                let marginal = config.marginalPathgroups && !members.isEmpty && members.allSatisfy { admin.marginal.contains($0.devT) }
                return PathGroupSnapshot(selector: selector, priority: prio, state: state, marginal: marginal, paths: members.map(snapshot))
            }
            let failback: MapSnapshot.Failback = switch map.settings.failback.value {
            case .immediate: .immediate
            case .followover: .followover
            case .manual, .deferred: .idle
            }
            let queueing: MapSnapshot.Queueing = switch map.noPathRetry {
            case .fail: .off
            case .queue: .on
            case .retries(let n):
                map.queueingEndsAt.map { .secondsLeft(max(0, Int(($0 - now).nanosecondsClamped / 1_000_000_000))) } ?? .checks(n)
            }
            let first = map.members.first.flatMap { paths[$0] }?.identity
            return MapSnapshot(
                name: map.name, wwid: map.wwid, dmMinor: dmMinors[map.name], failback: failback, queueing: queueing,
                activePaths: map.members.filter { paths[$0]?.health.inTable ?? false }.count, readOnly: map.readOnly,
                sizeSectors: map.sizeSectors,
                features: ([String(map.table.features.count)] + map.table.features).joined(separator: " "),
                hardwareHandler: ([String(map.table.hardwareHandler.count)] + map.table.hardwareHandler).joined(separator: " "),
                stats: .init(map.stats, now: now),
                vendor: first?.vendor ?? "", product: first?.product ?? "", revision: first?.revision ?? "",
                groups: groups)
        }
        return (pathRows, mapRows)
    }

    /// How `addPath` begins the reason of an orphan it blacklisted: 0.9.4 does not keep those at all.
    static let blacklistedReason = "blacklisted"

    /// `show config local` as 0.9.4: the whole configuration, but of the device entries only those that
    /// match a path the daemon keeps, and of the multipaths section only the maps that exist (a map
    /// without an entry is shown by WWID, with its name as a comment).
    public func localConfigText() -> String {
        var used: [Int] = []
        let kept = paths.values.map(\.identity) + orphans.values.filter { !$0.reason.hasPrefix(Self.blacklistedReason) }.map(\.identity)
        for identity in kept.sorted(by: { $0.devT < $1.devT }) {
            for i in config.pathSettings(for: identity).hardwareMatches where !used.contains(i) { used.append(i) }
        }
        let maps = maps.values.sorted { $0.name < $1.name }.map { (wwid: $0.wwid, name: $0.name) }
        return renderConfig(config, local: .init(hardware: used, maps: maps))
    }
}
