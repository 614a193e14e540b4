/// What a map does when its paths change and when its timer fires, through its policy (`MapPolicy.swift`).
extension Multipaths {
    // MARK: Maps

    func usableCount(_ map: MultipathMap, except: DevT? = nil) -> Int {
        map.members.filter { $0 != except && paths[$0]?.health.membership == .active && paths[$0]?.health.state.isUsable == true }.count
    }

    /// `identities`: with serial and node name, which only grouping needs.
    func groupMembers(_ devTs: [DevT], identities: Bool = true) -> [GroupMember] {
        let marginal = config.marginalPathgroups && !admin.marginal.isEmpty
        return devTs.compactMap { d in
            guard let health = paths[d]?.health else { return nil }
            return GroupMember(
                devT: d, serial: identities ? paths[d]!.identity.serial : "",
                nodeName: identities ? paths[d]!.identity.fc?.targetNodeName ?? "" : "",
                priority: health.priority, isUsable: health.state.isUsable && health.membership != .failed,
                isMarginal: marginal && admin.marginal.contains(d))
        }
    }

    /// The groups of the loaded table with today's path states and priorities. Run on every usable
    /// check (failback), so without the identities.
    func loadedGroups(_ map: MultipathMap) -> [[GroupMember]] {
        map.table.groups.map { g in groupMembers(g.paths.compactMap(\.devT), identities: false) }
    }

    /// After a path's state changed in the table (or a usable check, or a priority change): queueing
    /// (`no_path_retry`) and failback, as 0.9.4's check_path ends.
    mutating func mapReacts(_ wwid: WWID, cameUp: DevT? = nil, wentDown: Bool, usableCheck: Bool, now: Instant) -> [MultipathAction] {
        guard var map = maps[wwid] else { return [] }
        var actions: [MultipathAction] = []
        let usable = usableCount(map)
        map.queueingReacts(
            usable: usable, wentDown: wentDown, pollingInterval: pollingInterval, pollingSeconds: config.pollingInterval,
            now: now, &actions)
        if wentDown { map.cancelFailback(&actions) }
        if usableCheck && usable > 0 { map.failbackReacts(groups: loadedGroups(map), cameUp: cameUp, now: now, &actions) }
        index.update(map)
        actions.append(.setMapTimer(wwid: wwid, at: nextDeadline(wwid)))
        return actions
    }

    func nextDeadline(_ wwid: WWID) -> Instant? {
        [maps[wwid]?.queueingEndsAt, maps[wwid]?.failbackAt, waiting[wwid], ghostWait[wwid], udevWait[wwid]?.until].compactMap { $0 }.min()
    }

    /// A map's timer: the end of `no_path_retry` queueing, a deferred failback, or a wait (smart
    /// find_multipaths, ghost_delay) that ran out.
    public mutating func mapTimerFired(_ wwid: WWID, now: Instant) -> [MultipathAction] {
        var actions: [MultipathAction] = []
        if let t = ghostWait[wwid], t <= now {
            dirty.insert(wwid)
            actions += build(wwid, now: now)
        }
        if let wait = udevWait[wwid], wait.until <= now, let map = maps[wwid] {
            actions += [.note("\(map.name): timeout waiting on creation uevent, enabling reloads")] + udevSawMap(wwid, now: now)
        }
        if let t = waiting[wwid], t <= now {
            // No second path came in time: the held paths are released, once; one that comes later
            // still takes them.
            waiting[wwid] = nil
            for devT in (undecided[wwid] ?? [:]).keys.sorted() where orphans[devT]?.reason != .notMultipathed(.smart) {
                actions += orphan(orphans[devT]!.identity, .notMultipathed(.smart))
            }
        }
        if var map = maps[wwid] {
            if let t = map.queueingEndsAt, t <= now { map.queueingTimerFired(usable: usableCount(map), now: now, &actions) }
            if let t = map.failbackAt, t <= now { map.failbackTimerFired(groups: loadedGroups(map), &actions) }
            index.update(map)
        }
        return actions + [.setMapTimer(wwid: wwid, at: nextDeadline(wwid))]
    }
}
