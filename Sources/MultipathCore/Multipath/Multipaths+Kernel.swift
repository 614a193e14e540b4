/// Device-mapper's view: maps found at start, status after DM events, maps gone or renamed.
extension Multipaths {
    // MARK: Device-mapper's view

    /// A multipath map found at start: taken as it is. Its paths keep the states its status shows; once
    /// they are enumerated and checked, the map is reloaded only if it differs from the configuration.
    public mutating func adopt(
        name: String, wwid: WWID, sizeSectors: UInt64, table: MultipathTable,
        status: MultipathStatus, readOnly: Bool = false, suspended: Bool = false, now: Instant
    ) -> [MultipathAction] {
        let settings = config.mapSettings(wwid: wwid.rawValue, paths: [])
        index.insert(
            MultipathMap(
                name: name, wwid: wwid, settings: settings, members: table.groups.flatMap { $0.paths.compactMap(\.devT) },
                table: table, sizeSectors: sizeSectors, readOnly: readOnly, currentGroup: status.currentGroup,
                queueing: table.queueIfNoPath))
        index.modify(wwid) {
            $0.suspended = suspended
            $0.adoptedUnbuilt = true
        }
        for p in status.paths { if let d = p.devT { adoptedState[d] = p.isActive } }
        dirty.insert(wwid)
        return [.note("\(name): adopted (\(table.groups.count) groups, \(status.paths.count) paths)")]
    }

    /// Status read after a DM event: paths the kernel failed (an I/O error) are probed at once; a path
    /// the kernel has active while its checker says down is failed again; a table loaded behind our
    /// back is taken as the map's.
    public mutating func mapStatus(name: String, status: MultipathStatus, table: MultipathTable?, now: Instant) -> [MultipathAction] {
        guard let wwid = map(named: name)?.wwid else { return [] }
        var actions: [MultipathAction] = []
        if let table, let map = index[wwid], !Grouping.sameLayout(map.table, table) {
            actions.append(.note("\(name): table changed behind our back, taking it: \(table)"))
            let members = table.groups.flatMap { $0.paths.compactMap(\.devT) }
            index.modify(wwid) {
                $0.table = table
                $0.members = members
            }
        }
        index.modify(wwid) { $0.currentGroup = status.currentGroup }
        var wentDown = false
        for s in status.paths {
            guard let d = s.devT, var p = paths[d] else { continue }
            if !s.isActive && p.health.membership != .failed {
                p.health.membership = .failed
                wentDown = true
                p.health.failures += 1
                index.modify(wwid) { $0.stats.pathFailed(at: now) }
                actions.append(.note("\(p.name): failed by the kernel, probing now"))
                if p.health.probe.isInFlight {
                    p.health.probe = .inFlightRecheck
                } else {
                    p.health.probe = .inFlight
                    actions.append(.check(d))
                }
            } else if s.isActive && p.health.membership != .active {
                p.health.membership = .active
                if Self.isFailing(p.health.state) {
                    p.health.membership = .failed
                    actions.append(.fail(map: name, d))
                }
            }
            paths[d] = p
        }
        return actions + mapReacts(wwid, wentDown: wentDown, usableCheck: false, now: now)
    }

    /// The map disappeared (removed by someone else): forgotten; its paths stay known.
    /// The kernel suspended (or resumed) the map as we asked: `suspend map`, `resume map`, a reload.
    public mutating func mapSuspended(name: String, _ suspended: Bool) {
        guard let wwid = index.wwid(named: name) else { return }
        index.modify(wwid) { $0.suspended = suspended }
    }

    public mutating func mapVanished(name: String) -> [MultipathAction] {
        guard let wwid = index.wwid(named: name) else { return [] }
        forgetMap(wwid)
        return [.note("\(name): removed behind our back"), .setMapTimer(wwid: wwid, at: nil)]
    }

    /// `reset map M stats` (M's WWID) or `reset maps stats` (nil): false when there is no such map.
    public mutating func resetStats(wwid: WWID?, now: Instant) -> Bool {
        if let wwid {
            guard index[wwid] != nil else { return false }
            index.modify(wwid) { $0.stats.reset(now: now) }
        } else {
            for w in Array(maps.keys) { index.modify(w) { $0.stats.reset(now: now) } }
        }
        return true
    }

    /// The `remove` asked for when the map's last path left went through. A path of its WWID that
    /// came back meanwhile builds a new map.
    public mutating func mapRemoved(name: String, now: Instant) -> [MultipathAction] {
        guard let wwid = index.wwid(named: name) else { return [] }
        forgetMap(wwid)
        guard byWWID[wwid] != nil else { return [] }
        dirty.insert(wwid)
        return build(wwid, now: now)
    }

    mutating func forgetMap(_ wwid: WWID) {
        udevWait[wwid] = nil
        guard let map = index.remove(wwid) else { return }
        for d in map.members { paths[d]?.health.membership = .absent }
    }

    /// The kernel refused a `rename`: the map keeps its old name.
    public mutating func renameFailed(map newName: String, keeping oldName: String) {
        guard let wwid = index.wwid(named: newName) else { return }
        index.rename(wwid, to: oldName)
    }
}
