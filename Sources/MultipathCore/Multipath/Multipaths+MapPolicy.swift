/// What a map does when its paths change: queueing (`no_path_retry`), failback, and its timer.
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
            return GroupMember(devT: d, serial: identities ? paths[d]!.identity.serial : "",
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
        if usable == 0 {
            if case .retries(let n) = map.noPathRetry, map.queueing, map.queueingEndsAt == nil {
                map.queueingEndsAt = now + pollingInterval * n
                map.stats.queueing(true, now: now)
                actions.append(.note("\(map.name): no usable path, queueing for \(n) x \(config.pollingInterval) s"))
            }
            if wentDown && map.noPathRetry == .fail { map.stats.mapFailures += 1 }
        } else {
            map.queueingEndsAt = nil
            map.stats.queueing(false, now: now)
            if let since = map.stats.failoverSince {
                map.stats.failover.record(now - since)
                map.stats.failoverSince = nil
            }
            if map.noPathRetry != .fail && !map.queueing {
                map.queueing = true
                actions.append(.setQueueing(map: map.name, true))
            }
        }
        if wentDown && map.failbackAt != nil {
            map.failbackAt = nil
            actions.append(.note("\(map.name): deferred failback cancelled by a path failure"))
        }
        if usableCheck && usable > 0 {
            let groups = loadedGroups(map)
            let best = Grouping.bestGroup(groups)
            if best != map.currentGroup {
                switch map.settings.failback.value {
                case .manual: break
                case .immediate:
                    map.currentGroup = best
                    map.stats.switchGroups += 1
                    actions.append(.switchGroup(map: map.name, best))
                case .followover:
                    // Only when the path that came up is the first of its group to come back.
                    if let cameUp, let g = groups.firstIndex(where: { $0.contains { m in m.devT == cameUp } }),
                       groups[g].filter(\.isUsable).count == 1, g + 1 == best {
                        map.currentGroup = best
                        map.stats.switchGroups += 1
                        actions.append(.switchGroup(map: map.name, best))
                    }
                case .deferred(let seconds):
                    if cameUp != nil || map.failbackAt == nil {
                        map.failbackAt = now + .seconds(seconds)
                        actions.append(.note("\(map.name): failback to group \(best) in \(seconds) s"))
                    }
                }
            }
        }
        index[wwid] = map
        actions.append(.setMapTimer(wwid: wwid, at: nextDeadline(wwid)))
        return actions
    }

    func nextDeadline(_ wwid: WWID) -> Instant? {
        [maps[wwid]?.queueingEndsAt, maps[wwid]?.failbackAt, waiting[wwid], ghostWait[wwid]].compactMap { $0 }.min()
    }

    /// A map's timer: the end of `no_path_retry` queueing, a deferred failback, or a wait (smart
    /// find_multipaths, ghost_delay) that ran out.
    public mutating func mapTimerFired(_ wwid: WWID, now: Instant) -> [MultipathAction] {
        var actions: [MultipathAction] = []
        if let t = ghostWait[wwid], t <= now {
            dirty.insert(wwid)
            actions += build(wwid, now: now)
        }
        if let t = waiting[wwid], t <= now {
            waiting[wwid] = nil
            dirty.insert(wwid)
            for (devT, held) in (undecided.removeValue(forKey: wwid) ?? [:]).sorted(by: { $0.key < $1.key }) {
                let o = orphans.removeValue(forKey: devT)!
                actions += addPath(o.identity, udevProperties: held.udev, choice: held.choice, now: now)
            }
            actions += build(wwid, now: now)
        }
        if var map = maps[wwid] {
            if let t = map.queueingEndsAt, t <= now {
                map.queueingEndsAt = nil
                map.stats.queueing(false, now: now)
                if usableCount(map) == 0 && map.queueing {
                    map.stats.queueingTimeouts += 1
                    map.queueing = false
                    actions += [.setQueueing(map: map.name, false), .note("\(map.name): no_path_retry ran out, failing I/O")]
                }
            }
            if let t = map.failbackAt, t <= now {
                map.failbackAt = nil
                let best = Grouping.bestGroup(loadedGroups(map))
                if best != map.currentGroup {
                    map.currentGroup = best
                    map.stats.switchGroups += 1
                    actions.append(.switchGroup(map: map.name, best))
                }
            }
            index[wwid] = map
        }
        return actions + [.setMapTimer(wwid: wwid, at: nextDeadline(wwid))]
    }
}
