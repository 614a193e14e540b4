/// Building maps: the table from the configuration, created or reloaded once every path is settled.
extension Multipaths {
    /// Builds or checks every marked map whose paths have all had their first check and priority.
    /// A map whose table already is what the configuration asks for is left alone.
    public mutating func commit(now: Instant) -> [MultipathAction] {
        var actions: [MultipathAction] = []
        for wwid in dirty.sorted() { actions += build(wwid, now: now) }
        return actions
    }

    /// Some map waits for a path's first check or priority before it is built (start-up holds READY=1
    /// until none does).
    public var awaitsFirstChecks: Bool {
        dirty.contains { wwid in members(of: wwid).contains { paths[$0].map { !Self.isSettled($0.health) } ?? false } }
    }

    /// A path is settled for building once checked, and, if usable, prioritized.
    static func isSettled(_ h: PathHealth) -> Bool { h.state != .unchecked && (!h.state.isUsable || h.priority != nil) }

    /// `commit` for one WWID, if it is marked; `force` reloads even a table that is already right.
    mutating func build(_ wwid: WWID, now: Instant, force: Bool = false) -> [MultipathAction] {
        guard dirty.contains(wwid) else { return [] }
        var actions: [MultipathAction] = []
        let devTs = members(of: wwid)
        guard !devTs.isEmpty else {
            dirty.remove(wwid)
            return actions
        }
        guard devTs.allSatisfy({ paths[$0].map { Self.isSettled($0.health) } ?? true }) else { return actions }
        var identities: [PathIdentity] = []
        identities.reserveCapacity(devTs.count)
        for d in devTs { if let p = paths[d] { identities.append(p.identity) } }
        let settings = config.mapSettings(wwid: wwid.rawValue, paths: identities)
        // ghost_delay: a new map whose paths are all ghosts waits for an active one, at most that long.
        if maps[wwid] == nil, let delay = settings.ghostDelay.value {
            let states = devTs.compactMap { paths[$0]?.health.state }
            if states.contains(.up) {
                ghostWait[wwid] = nil
            } else if states.contains(.ghost) {
                let until = (devTs.compactMap { paths[$0]?.health.firstSeen }.min() ?? now) + .seconds(delay)
                if now < until {
                    if ghostWait.updateValue(until, forKey: wwid) == nil {
                        actions += [
                            .note("\(wwid): only ghost paths, waiting until \(until) (ghost_delay)"), .setMapTimer(wwid: wwid, at: until)
                        ]
                    }
                    return actions
                }
            }
        }
        ghostWait[wwid] = nil
        dirty.remove(wwid)
        let groups = Grouping.group(
            Self.keepingTablePlaces(groupMembers(devTs), in: maps[wwid]?.table), policy: settings.pathGroupingPolicy.value)
        // The operator's `disablequeueing` holds across reloads.
        let noPathRetry = MultipathMap.noPathRetry(settings, queueingDisabled: maps[wwid]?.queueingDisabled == true)
        let table = Grouping.table(
            groups: groups, features: settings.features.value, hardwareHandler: settings.hardwareHandler(for: identities),
            selector: settings.pathSelector.value, rrMinIORequests: settings.rrMinIORequests.value,
            rrWeight: settings.rrWeight.value, noPathRetry: noPathRetry,
            // 0.9.4 makes every map with an NVMe/TCP path bio-based.
            bioBased: identities.contains { $0.transport == .nvme(.tcp) })
        let size = identities[0].sizeSectors
        let readOnly = identities.contains(where: \.readOnly)
        let usable = devTs.count { paths[$0].map { $0.health.state.isUsable || $0.health.state == .pending } ?? false }
        // A map adopted at start whose groups are right but in another order is taken as it is: paths
        // down at a restart would reorder its groups (a group with no usable path sorts last), and a
        // restart lists the paths in another order than the one they joined the map in. 0.9.4's pgcmp
        // and pathcmp compare groups and paths, not their order; the best group is chosen by
        // switch_group. Later builds order them as the priorities and discovery ask.
        let adopted = maps[wwid]?.adoptedUnbuilt == true
        if adopted { index.modify(wwid) { $0.adoptedUnbuilt = false } }
        if var map = maps[wwid] {
            map.settings = settings
            if !force && Grouping.sameLayout(map.table, table, anyOrder: adopted) && map.sizeSectors == size
                && map.readOnly == readOnly
            {
                map.members = map.table.groups.flatMap { $0.paths.compactMap(\.devT) }
                if !map.transportsTuned { actions.append(.tuneTransports(wwid)) }
                map.transportsTuned = true
                actions += readsReservationKeys(&map)
                index.update(map)
                return actions
            }
            if !force, udevWait[wwid] != nil {
                udevWait[wwid]?.held = true
                return actions + [.note("\(map.name): reload delayed until udev has seen the new map")]
            }
            let flags = MapUdevFlags.forLoad(
                reload: true, rescan: force || map.sizeSectors != size, usablePaths: usable, skipKpartx: settings.skipKpartx.value)
            let load = MapLoad(name: map.name, wwid: wwid, sizeSectors: size, table: table, readOnly: readOnly, udevFlags: flags)
            actions += [.reload(load)]
            actions += loaded(wwid, load, settings: settings, previous: map.members, now: now)
        } else {
            let revision = bindings.revision
            let name = config.mapName(wwid: wwid.rawValue, settings: settings, bindings: &bindings, taken: { index.isTaken($0) })
            if bindings.revision != revision { actions.append(.saveBindings) }
            let flags = MapUdevFlags.forLoad(reload: false, rescan: false, usablePaths: usable, skipKpartx: settings.skipKpartx.value)
            let load = MapLoad(name: name.name, wwid: wwid, sizeSectors: size, table: table, readOnly: readOnly, udevFlags: flags)
            actions.append(.create(load))
            udevWait[wwid] = (now + config.missingUeventWait, false)
            actions += loaded(wwid, load, settings: settings, previous: [], now: now)
            actions.append(.setMapTimer(wwid: wwid, at: nextDeadline(wwid)))
        }
        return actions
    }

    /// A path whose priority was never asked (down since the daemon started: as 0.9.4, no prioritizer
    /// runs on a down path) keeps its place in the loaded table: it is grouped with the priority of the
    /// other paths of its table group. Without this a restart during a fault would reload the map, since
    /// group_by_prio puts a path of unknown priority in a group of its own.
    static func keepingTablePlaces(_ members: [GroupMember], in table: MultipathTable?) -> [GroupMember] {
        guard let table, members.contains(where: { $0.priority == nil }) else { return members }
        var known: [DevT: Int] = [:]
        for m in members { if let p = m.priority { known[m.devT] = p } }
        var inherited: [DevT: Int] = [:]
        for g in table.groups {
            let devTs = g.paths.compactMap(\.devT)
            guard let peer = devTs.lazy.compactMap({ known[$0] }).first else { continue }
            for d in devTs where known[d] == nil { inherited[d] = peer }
        }
        return members.map { m in
            var m = m
            if m.priority == nil { m.priority = inherited[m.devT] }
            return m
        }
    }

    /// After a create or reload every path of the new table is active: fail those that are not usable,
    /// and take the table's queueing and group as the kernel's.
    mutating func loaded(_ wwid: WWID, _ load: MapLoad, settings: ResolvedMapSettings, previous: [DevT], now: Instant) -> [MultipathAction]
    {
        let order = load.table.groups.flatMap { $0.paths.compactMap(\.devT) }
        for d in previous where !order.contains(d) { paths[d]?.health.membership = .absent }
        var actions: [MultipathAction] = []
        for d in order {
            guard let state = paths[d]?.health.state else { continue }
            // A path's failures are the kernel's count in its table, as 0.9.4 shows them: a new table starts at 0.
            paths[d]!.health.failures = 0
            let failing = Self.isFailing(state) || state == .pending
            // In place through the force-unwrapped lvalue: `?.` here allocated per path (measured).
            paths[d]!.health.membership = failing ? .failed : .active
            if failing { actions.append(.fail(map: load.name, d)) }
        }
        var map: MultipathMap
        if let existing = maps[wwid] {
            map = existing
            map.shownAction = .nothing
        } else {
            map = MultipathMap(
                name: load.name, wwid: wwid, settings: settings, members: order, table: load.table,
                sizeSectors: load.sizeSectors, currentGroup: load.table.initialGroup,
                queueing: load.table.queueIfNoPath)
            map.shownAction = .create
        }
        map.members = order
        map.table = load.table
        map.sizeSectors = load.sizeSectors
        map.readOnly = load.readOnly
        map.currentGroup = load.table.initialGroup
        map.queueing = load.table.queueIfNoPath
        map.queueingEndsAt = nil
        map.stats.queueing(false, now: now)
        map.stats.mapLoads += 1
        // The load's path tuning set them.
        map.transportsTuned = true
        actions += readsReservationKeys(&map)
        map.failbackAt = nil
        index.insert(map)
        return actions + mapReacts(wwid, wentDown: false, usableCheck: false, now: now)
    }
}
