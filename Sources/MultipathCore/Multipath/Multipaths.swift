/// The daemon's decisions, as a state machine over paths and maps: inputs are values and `now`,
/// outputs are `MultipathAction`s. Nothing here does I/O or reads a clock.
///
/// The critical path is `checkerFinished`: verdict -> path state -> reinstate or fail -> queueing ->
/// group priorities -> failback. Maps are built or reloaded only in `commit`, once every path of a
/// WWID has had its first check and priority, so that many adds for one WWID make one create.
public struct Multipaths: Sendable {
    public internal(set) var config: Config
    public internal(set) var paths: [DevT: MultipathPath] = [:]
    /// Maps by WWID.
    public internal(set) var maps: [String: MultipathMap] = [:]
    /// Paths seen but not multipathed, with the reason (blacklisted, no WWID, find_multipaths...).
    public internal(set) var orphans: [DevT: (identity: PathIdentity, reason: OrphanReason)] = [:]
    public private(set) var wwids: WWIDsFile
    public private(set) var bindings: Bindings

    private var byWWID: [String: Set<DevT>] = [:]
    /// Map names to WWIDs, kept with `maps` (`map(named:)` and free names are asked for per map).
    private var mapNames: [String: String] = [:]
    /// WWIDs whose map must be built or checked against its table at the next `commit`.
    var dirty: Set<String> = []
    /// find_multipaths smart: WWIDs waiting for a second path until an instant.
    private var waiting: [String: Instant] = [:]
    /// ghost_delay: new maps with only ghost paths, waiting for an active one until an instant.
    private var ghostWait: [String: Instant] = [:]
    /// Orphans that smart find_multipaths may still take, by WWID, with what `addPath` was given.
    private var undecided: [String: [DevT: (choice: PathChoice, udev: [String]?)]] = [:]
    /// The udev property names each path came with, for the blacklist again at reconfigure.
    private var udevProperties: [DevT: [String]] = [:]
    /// Path states found in maps adopted at start, for paths not yet enumerated.
    private var adoptedState: [DevT: Bool] = [:]
    /// What operators set over the control socket (`Multipaths+Admin.swift`).
    var admin = AdminState()

    public init(config: Config, wwids: WWIDsFile = WWIDsFile(), bindings: Bindings = Bindings()) {
        self.config = config
        self.wwids = wwids
        self.bindings = bindings
    }

    var pollingInterval: Duration { .seconds(max(config.pollingInterval, 1)) }
    var maxPollingInterval: Duration { max(.seconds(config.maxPollingInterval), pollingInterval) }

    public func map(named name: String) -> MultipathMap? { mapNames[name].flatMap { maps[$0] } }
    public func members(of wwid: String) -> [DevT] { byWWID[wwid].map { $0.sorted() } ?? [] }

    // MARK: Paths coming and going

    /// A path appeared (add uevent, or the enumeration at start). Blacklist and find_multipaths decide
    /// whether it is multipathed; if so its first check is asked for and its map marked for building.
    public mutating func addPath(_ identity: PathIdentity, udevProperties: [String]?, choice: PathChoice,
                                 now: Instant) -> [MultipathAction] {
        if paths[identity.devT] != nil || orphans[identity.devT] != nil { return changePath(identity, choice: choice, now: now) }
        if let udevProperties { self.udevProperties[identity.devT] = udevProperties }
        switch config.blacklistVerdict(for: identity, udevProperties: self.udevProperties[identity.devT]) {
        case .accepted: break
        case .blacklisted(let by, let rule):
            return orphan(identity, .blacklisted(by, rule: rule))
        case .missingProperty:
            return orphan(identity, .missingUdevProperty)
        }
        guard let wwid = identity.wwid, !wwid.isEmpty else { return orphan(identity, .noWWID) }
        let policy = FindMultipathsPolicy(config)
        // Only smart mode's wait depends on the hardware table; matching it costs a regex per entry.
        let known = policy.mode == .smart && config.pathSettings(for: identity).isKnownHardware
        switch policy.decide(knownWWID: wwids.contains(wwid), mapExists: maps[wwid] != nil, siblings: byWWID[wwid]?.count ?? 0,
                             knownHardware: known, firstSeen: now, now: now) {
        case .multipath:
            var actions = admit(identity, choice: choice, now: now)
            // A second path decides for the ones smart mode was holding.
            for (devT, held) in (undecided.removeValue(forKey: wwid) ?? [:]).sorted(by: { $0.key < $1.key }) {
                let o = orphans.removeValue(forKey: devT)!
                actions += admit(o.identity, choice: held.choice, now: now)
            }
            return actions
        case .notMultipath:
            return orphan(identity, .notMultipathed(policy.mode))
        case .waitUntil(let t):
            undecided[wwid, default: [:]][identity.devT] = (choice, udevProperties)
            waiting[wwid] = min(waiting[wwid] ?? t, t)
            return orphan(identity, .waitingForSecondPath(until: t)) + [.setMapTimer(wwid: wwid, at: nextDeadline(wwid))]
        }
    }

    private mutating func orphan(_ identity: PathIdentity, _ reason: OrphanReason) -> [MultipathAction] {
        orphans[identity.devT] = (identity, reason)
        return [.note("\(identity.name): \(reason)")]
    }

    /// Smart find_multipaths no longer holds the path.
    mutating func undecide(_ devT: DevT) {
        guard let wwid = orphans[devT]?.identity.wwid else { return }
        undecided[wwid]?[devT] = nil
        if undecided[wwid]?.isEmpty ?? false { undecided[wwid] = nil }
    }

    private mutating func admit(_ identity: PathIdentity, choice: PathChoice, now: Instant) -> [MultipathAction] {
        let wwid = identity.wwid!
        var health = PathHealth(interval: pollingInterval, now: now)
        health.membership = TableMembership(active: adoptedState.removeValue(forKey: identity.devT))
        health.probe = .inFlight
        if choice.prio.value == "const" { health.priority = 1 }
        paths[identity.devT] = MultipathPath(identity: identity, health: health, settings: choice)
        byWWID[wwid, default: []].insert(identity.devT)
        dirty.insert(wwid)
        return [.check(identity.devT)]
    }

    /// A path's device went away (remove uevent): it leaves its map by reload; the last one takes the
    /// map with it (`flush_on_last_del` first turns queueing off, so that I/O fails instead of hanging).
    /// The map is kept, with no paths, until `mapRemoved` says the kernel let it go: an open map stays,
    /// and a path that comes back reloads it.
    public mutating func removePath(_ devT: DevT, now: Instant) -> [MultipathAction] {
        udevProperties[devT] = nil
        undecide(devT)
        admin.forget(devT)
        if orphans.removeValue(forKey: devT) != nil { return [.forget(devT)] }
        guard let path = paths.removeValue(forKey: devT), let wwid = path.identity.wwid else { return [] }
        var actions: [MultipathAction] = [.forget(devT), .note("\(path.name): removed")]
        byWWID[wwid]?.remove(devT)
        if byWWID[wwid]?.isEmpty ?? false { byWWID[wwid] = nil }
        guard var map = maps[wwid] else { return actions + build(wwid, now: now) }
        if byWWID[wwid] == nil {
            dirty.remove(wwid)
            if map.settings.flushOnLastDelete.value && map.queueing { actions.append(.setQueueing(map: map.name, false)) }
            let empty = MultipathTable(features: map.table.features.filter { $0 != "queue_if_no_path" },
                                       hardwareHandler: map.table.hardwareHandler, initialGroup: 0, groups: [])
            (map.members, map.table, map.currentGroup, map.queueing) = ([], empty, 0, false)
            (map.queueingEndsAt, map.failbackAt) = (nil, nil)
            maps[wwid] = map
            actions += [.remove(map: map.name, fallback: MapLoad(name: map.name, wwid: wwid, sizeSectors: map.sizeSectors, table: empty,
                                                                 readOnly: map.readOnly)),
                        .setMapTimer(wwid: wwid, at: nil)]
            return actions
        }
        dirty.insert(wwid)
        return actions + build(wwid, now: now)
    }

    /// A `change` uevent, as 0.9.4 handles it: a new WWID takes the path out of its map and in again as
    /// a new path; a new size is taken when every path of the map agrees (the map is reloaded with it);
    /// a path turning read-only makes the map read-only, and it is writable again once all are.
    /// Both reloads happen in `build`, which compares size and mode with what the kernel has.
    public mutating func changePath(_ identity: PathIdentity, choice: PathChoice, now: Instant) -> [MultipathAction] {
        let devT = identity.devT
        if let o = orphans[devT] {
            if o.identity.wwid == identity.wwid { orphans[devT]?.identity = identity; return [] }
            undecide(devT)
            orphans[devT] = nil
            return addPath(identity, udevProperties: nil, choice: choice, now: now)
        }
        guard let old = paths[devT] else { return [] }
        if old.identity.wwid != identity.wwid {
            let note = MultipathAction.note("\(identity.name): WWID changed from \(old.identity.wwid ?? "none") to \(identity.wwid ?? "none")")
            return [note] + removePath(devT, now: now) + addPath(identity, udevProperties: nil, choice: choice, now: now)
        }
        paths[devT]?.identity = identity
        guard let wwid = identity.wwid else { return [] }
        var notes: [MultipathAction] = []
        if old.identity.sizeSectors != identity.sizeSectors {
            notes.append(.note("\(identity.name): size changed from \(old.identity.sizeSectors) to \(identity.sizeSectors) sectors"))
        }
        if old.identity.readOnly != identity.readOnly {
            notes.append(.note("\(identity.name): update path write_protect to '\(identity.readOnly ? 1 : 0)' (uevent)"))
        }
        guard !notes.isEmpty else { return [] }
        dirty.insert(wwid)
        return notes + build(wwid, now: now)
    }

    // MARK: Checking

    /// A scheduled check is due. Asks for it unless one is still out (one probe in flight per path).
    public mutating func checkDue(_ devT: DevT, now: Instant) -> [MultipathAction] {
        guard let p = paths[devT], !p.health.probe.isInFlight else { return [] }
        // As 0.9.4's disabled checker: a path failed by the operator stays failed until reinstated.
        if admin.failedByOperator.contains(devT) { return [schedule(devT, now: now)] }
        paths[devT]!.health.probe = .inFlight
        return [.check(devT)]
    }

    /// The checker's verdict: the critical path. `issued`: when the check was sent (its latency).
    public mutating func checkerFinished(_ devT: DevT, _ verdict: CheckerVerdict, issued: Instant? = nil, now: Instant) -> [MultipathAction] {
        guard var p = paths[devT] else { return [] }
        let recheck = p.health.probe == .inFlightRecheck
        p.health.probe = .idle
        if let issued { p.health.checkLatency.record(now - issued) }
        if admin.failedByOperator.contains(devT) {
            paths[devT] = p
            return [schedule(devT, now: now)]
        }
        let old = p.health.state
        var new = verdict.state
        let wwid = p.identity.wwid!
        var actions: [MultipathAction] = []
        let map = maps[wwid]

        if new == .pending {
            // No answer yet (ALUA transitioning): nothing changes but the first state, probe again soon.
            if old == .unchecked { p.health.state = .pending }
        } else {
            if let map { new = sanPathErr(&p.health, from: old, to: new, othersUsable: usableCount(map, except: devT) > 0, settings: map.settings, now: now) }
            if new != old {
                p.health.state = new
                p.health.lastChange = now
                p.health.interval = pollingInterval
                actions.append(.note("\(p.name): \(old.rawValue) -> \(new.rawValue) (\(verdict.reason))"))
            } else if new.isUsable {
                p.health.interval = min(p.health.interval * 2, maxPollingInterval)
            }
        }

        var cameUp: DevT?, wentDown = false
        if let map {
            if p.health.membership == .failed { p.health.usableSince = verdict.state.isUsable ? p.health.usableSince ?? issued ?? now : nil }
            if p.health.membership == .failed && new.isUsable {
                actions.append(.reinstate(map: map.name, devT))
                p.health.membership = .active
                cameUp = devT
                maps[wwid]!.stats.reinstate.record(now - (p.health.usableSince ?? now))
                p.health.usableSince = nil
            } else if p.health.membership == .active && Self.isFailing(new) {
                actions.append(.fail(map: map.name, devT))
                p.health.membership = .failed
                wentDown = true
                p.health.failures += 1
                maps[wwid]!.stats.pathFailed(at: issued ?? now)
            }
        }
        paths[devT] = p
        if map != nil { actions += mapReacts(wwid, cameUp: cameUp, wentDown: wentDown, usableCheck: new.isUsable, now: now) }

        if recheck {
            paths[devT]!.health.probe = .inFlight
            actions.append(.check(devT))
        } else {
            actions.append(schedule(devT, now: now))
        }
        if new.isUsable && p.settings.prio.value != "const" { actions.append(.prioritize(devT)) }
        actions += build(wwid, now: now)
        return actions
    }

    /// States in which a path must not be active in the kernel's table.
    static func isFailing(_ s: PathState) -> Bool {
        switch s {
        case .down, .timeout, .shaky, .wild, .delayed: true
        case .up, .ghost, .unchecked, .pending: false
        }
    }

    /// `san_path_err_threshold/forget_rate/recovery_time` (all three set): a path that failed `threshold`
    /// times is held back (`delayed`) for `recovery_time` seconds after it comes back, unless it is the
    /// map's last usable path; every `forget_rate` good checks forgive one failure.
    private func sanPathErr(_ h: inout PathHealth, from old: PathState, to new: PathState, othersUsable: Bool,
                            settings: ResolvedMapSettings, now: Instant) -> PathState {
        guard let threshold = settings.sanPathErrThreshold.value, let forget = settings.sanPathErrForgetRate.value,
              let recovery = settings.sanPathErrRecoveryTime.value else { return new }
        if Self.isFailing(new) {
            if old.isUsable { h.sanFailures += 1; h.sanGoodChecks = 0 }
            return new
        }
        guard new.isUsable else { return new }
        if h.heldUntil != nil || (Self.isFailing(old) && h.sanFailures >= threshold) {
            let until = h.heldUntil ?? now + .seconds(recovery)
            if now < until && othersUsable {
                h.heldUntil = until
                return .delayed
            }
            h.heldUntil = nil
            h.sanFailures = 0
            return new
        }
        h.sanGoodChecks += 1
        if h.sanGoodChecks >= forget {
            h.sanGoodChecks = 0
            h.sanFailures = max(0, h.sanFailures - 1)
        }
        return new
    }

    /// The next check: healthy paths at their interval, failed ones after `failed_path_reprobe_ms`
    /// (or the polling interval when that is off). The window lets checks of a map's paths that fall
    /// due close together share one wakeup; it lies before the nominal time, never after.
    func schedule(_ devT: DevT, now: Instant) -> MultipathAction {
        let h = paths[devT]!.health
        var interval = h.interval
        if !h.state.isUsable, let reprobe = config.failedPathReprobe { interval = min(reprobe, pollingInterval) }
        let latest = now + interval
        return .scheduleCheck(devT, earliest: latest - interval / 4, latest: latest)
    }

    /// The prioritizer's answer (nil: it failed; 0.9.4's PRIO_UNDEF). A changed priority may regroup
    /// the map (a reload) and may change the best group (failback).
    public mutating func priorityFinished(_ devT: DevT, _ priority: Int?, now: Instant) -> [MultipathAction] {
        guard let p = paths[devT], let wwid = p.identity.wwid else { return [] }
        let value = priority ?? -1
        guard p.health.priority != value else { return [] }
        paths[devT]!.health.priority = value
        var actions: [MultipathAction] = [.note("\(p.name): priority \(p.health.priority.map(String.init) ?? "unknown") -> \(value)")]
        guard maps[wwid] != nil else { return actions + build(wwid, now: now) }
        dirty.insert(wwid)
        actions += build(wwid, now: now)
        if !dirty.contains(wwid) { actions += mapReacts(wwid, wentDown: false, usableCheck: true, now: now) }
        return actions
    }

    // MARK: Maps

    func usableCount(_ map: MultipathMap, except: DevT? = nil) -> Int {
        map.members.filter { $0 != except && paths[$0]?.health.membership == .active && paths[$0]?.health.state.isUsable == true }.count
    }

    /// `identities`: with serial and node name, which only grouping needs.
    private func groupMembers(_ devTs: [DevT], identities: Bool = true) -> [GroupMember] {
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
    mutating func mapReacts(_ wwid: String, cameUp: DevT? = nil, wentDown: Bool, usableCheck: Bool, now: Instant) -> [MultipathAction] {
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
        maps[wwid] = map
        actions.append(.setMapTimer(wwid: wwid, at: nextDeadline(wwid)))
        return actions
    }

    func nextDeadline(_ wwid: String) -> Instant? {
        [maps[wwid]?.queueingEndsAt, maps[wwid]?.failbackAt, waiting[wwid], ghostWait[wwid]].compactMap { $0 }.min()
    }

    /// A map's timer: the end of `no_path_retry` queueing, a deferred failback, or a wait (smart
    /// find_multipaths, ghost_delay) that ran out.
    public mutating func mapTimerFired(_ wwid: String, now: Instant) -> [MultipathAction] {
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
            maps[wwid] = map
        }
        return actions + [.setMapTimer(wwid: wwid, at: nextDeadline(wwid))]
    }

    /// Builds or checks every marked map whose paths have all had their first check and priority.
    /// A map whose table already is what the configuration asks for is left alone.
    public mutating func commit(now: Instant) -> [MultipathAction] {
        var actions: [MultipathAction] = []
        for wwid in dirty.sorted() { actions += build(wwid, now: now) }
        return actions
    }

    /// `commit` for one WWID, if it is marked; `force` reloads even a table that is already right.
    mutating func build(_ wwid: String, now: Instant, force: Bool = false) -> [MultipathAction] {
        guard dirty.contains(wwid) else { return [] }
        var actions: [MultipathAction] = []
        let devTs = members(of: wwid)
        guard !devTs.isEmpty else { dirty.remove(wwid); return actions }
        let settled = devTs.allSatisfy { d in
            let h = paths[d]!.health
            return h.state != .unchecked && (!h.state.isUsable || h.priority != nil)
        }
        guard settled else { return actions }
        let identities = devTs.map { paths[$0]!.identity }
        let settings = config.mapSettings(wwid: wwid, paths: identities)
        // ghost_delay: a new map whose paths are all ghosts waits for an active one, at most that long.
        if maps[wwid] == nil, let delay = settings.ghostDelay.value {
            let states = devTs.map { paths[$0]!.health.state }
            if states.contains(.up) {
                ghostWait[wwid] = nil
            } else if states.contains(.ghost) {
                let until = devTs.map { paths[$0]!.health.firstSeen }.min()! + .seconds(delay)
                if now < until {
                    if ghostWait.updateValue(until, forKey: wwid) == nil {
                        actions += [.note("\(wwid): only ghost paths, waiting until \(until) (ghost_delay)"), .setMapTimer(wwid: wwid, at: until)]
                    }
                    return actions
                }
            }
        }
        ghostWait[wwid] = nil
        if let t = waiting[wwid], now < t { return actions }
        dirty.remove(wwid)
        let groups = Grouping.group(groupMembers(devTs), policy: settings.pathGroupingPolicy.value)
        // The operator's `disablequeueing` holds across reloads.
        let noPathRetry: NoPathRetry = maps[wwid]?.queueingDisabled == true ? .fail
            : settings.noPathRetry.origin == .internalDefault && settings.features.value.split(separator: " ").contains("queue_if_no_path")
            ? .queue : settings.noPathRetry.value
        let table = Grouping.table(groups: groups, features: settings.features.value, hardwareHandler: settings.hardwareHandler(for: identities),
                                   selector: settings.pathSelector.value, rrMinIORequests: settings.rrMinIORequests.value,
                                   rrWeight: settings.rrWeight.value, noPathRetry: noPathRetry)
        let size = identities[0].sizeSectors
        let readOnly = identities.contains(where: \.readOnly)
        let order = table.groups.flatMap { $0.paths.compactMap(\.devT) }
        if var map = maps[wwid] {
            map.settings = settings
            if !force && Grouping.sameLayout(map.table, table) && map.sizeSectors == size && map.readOnly == readOnly {
                map.members = order
                maps[wwid] = map
                return actions
            }
            let load = MapLoad(name: map.name, wwid: wwid, sizeSectors: size, table: table, readOnly: readOnly)
            actions += [.reload(load)]
            actions += loaded(wwid, load, settings: settings, previous: map.members, now: now)
        } else {
            let revision = bindings.revision
            let name = config.mapName(wwid: wwid, settings: settings, bindings: &bindings, taken: { mapNames[$0] != nil })
            if bindings.revision != revision { actions.append(.saveBindings) }
            if wwids.add(wwid) != nil { actions.append(.rememberWWID(wwid)) }
            let load = MapLoad(name: name.name, wwid: wwid, sizeSectors: size, table: table, readOnly: readOnly)
            actions.append(.create(load))
            actions += loaded(wwid, load, settings: settings, previous: [], now: now)
        }
        return actions
    }

    /// After a create or reload every path of the new table is active: fail those that are not usable,
    /// and take the table's queueing and group as the kernel's.
    private mutating func loaded(_ wwid: String, _ load: MapLoad, settings: ResolvedMapSettings, previous: [DevT], now: Instant) -> [MultipathAction] {
        let order = load.table.groups.flatMap { $0.paths.compactMap(\.devT) }
        for d in previous where !order.contains(d) { paths[d]?.health.membership = .absent }
        var actions: [MultipathAction] = []
        for d in order {
            paths[d]!.health.membership = .active
            if Self.isFailing(paths[d]!.health.state) || paths[d]!.health.state == .pending {
                paths[d]!.health.membership = .failed
                actions.append(.fail(map: load.name, d))
            }
        }
        if maps[wwid] == nil { mapNames[load.name] = wwid }
        var map = maps[wwid] ?? MultipathMap(name: load.name, wwid: wwid, settings: settings, members: order, table: load.table,
                                             sizeSectors: load.sizeSectors, currentGroup: load.table.initialGroup,
                                             queueing: load.table.queueIfNoPath)
        map.members = order
        map.table = load.table
        map.sizeSectors = load.sizeSectors
        map.readOnly = load.readOnly
        map.currentGroup = load.table.initialGroup
        map.queueing = load.table.queueIfNoPath
        map.queueingEndsAt = nil
        map.stats.queueing(false, now: now)
        map.stats.mapLoads += 1
        map.failbackAt = nil
        maps[wwid] = map
        return actions + mapReacts(wwid, wentDown: false, usableCheck: false, now: now)
    }

    // MARK: Device-mapper's view

    /// A multipath map found at start: taken as it is. Its paths keep the states its status shows; once
    /// they are enumerated and checked, the map is reloaded only if it differs from the configuration.
    public mutating func adopt(name: String, wwid: String, sizeSectors: UInt64, table: MultipathTable,
                               status: MultipathStatus, readOnly: Bool = false, now: Instant) -> [MultipathAction] {
        let settings = config.mapSettings(wwid: wwid, paths: [])
        if let old = maps[wwid] { mapNames[old.name] = nil }
        mapNames[name] = wwid
        maps[wwid] = MultipathMap(name: name, wwid: wwid, settings: settings, members: table.groups.flatMap { $0.paths.compactMap(\.devT) },
                                  table: table, sizeSectors: sizeSectors, readOnly: readOnly, currentGroup: status.currentGroup,
                                  queueing: table.queueIfNoPath)
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
        if let table, !Grouping.sameLayout(maps[wwid]!.table, table) {
            actions.append(.note("\(name): table changed behind our back, taking it: \(table)"))
            maps[wwid]!.table = table
            maps[wwid]!.members = table.groups.flatMap { $0.paths.compactMap(\.devT) }
        }
        maps[wwid]!.currentGroup = status.currentGroup
        var wentDown = false
        for s in status.paths {
            guard let d = s.devT, var p = paths[d] else { continue }
            if !s.isActive && p.health.membership != .failed {
                p.health.membership = .failed
                wentDown = true
                p.health.failures += 1
                maps[wwid]!.stats.pathFailed(at: now)
                actions.append(.note("\(p.name): failed by the kernel, probing now"))
                if p.health.probe.isInFlight { p.health.probe = .inFlightRecheck } else { p.health.probe = .inFlight; actions.append(.check(d)) }
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
    public mutating func mapVanished(name: String) -> [MultipathAction] {
        guard let wwid = mapNames[name] else { return [] }
        forgetMap(wwid)
        return [.note("\(name): removed behind our back"), .setMapTimer(wwid: wwid, at: nil)]
    }

    /// `reset map M stats` (M's WWID) or `reset maps stats` (nil): false when there is no such map.
    public mutating func resetStats(wwid: String?, now: Instant) -> Bool {
        if let wwid {
            guard maps[wwid] != nil else { return false }
            maps[wwid]!.stats.reset(now: now)
        } else {
            for w in maps.keys { maps[w]!.stats.reset(now: now) }
        }
        return true
    }

    /// The `remove` asked for when the map's last path left went through. A path of its WWID that
    /// came back meanwhile builds a new map.
    public mutating func mapRemoved(name: String, now: Instant) -> [MultipathAction] {
        guard let wwid = mapNames[name] else { return [] }
        forgetMap(wwid)
        guard byWWID[wwid] != nil else { return [] }
        dirty.insert(wwid)
        return build(wwid, now: now)
    }

    mutating func forgetMap(_ wwid: String) {
        guard let map = maps.removeValue(forKey: wwid) else { return }
        mapNames[map.name] = nil
        for d in map.members { paths[d]?.health.membership = .absent }
    }

    /// The kernel refused a `rename`: the map keeps its old name.
    public mutating func renameFailed(map newName: String, keeping oldName: String) {
        guard let wwid = mapNames.removeValue(forKey: newName) else { return }
        mapNames[oldName] = wwid
        maps[wwid]!.name = oldName
    }

    // MARK: Reconfigure

    /// A new configuration, applied as 0.9.4's reconfigure does. Orphans are judged again (a path no
    /// longer refused joins its map) and every path takes its new checker and prioritizer (`choices`,
    /// resolved by the daemon, orphans included; a new prioritizer asks for a priority); a path now
    /// blacklisted leaves its map. Each map's settings and name are resolved again (a new name renames
    /// it) and the map is rebuilt, reloaded only if its table differs. A new `polling_interval`
    /// reschedules every check.
    public mutating func reconfigure(_ config: Config, choices: [DevT: PathChoice], now: Instant) -> [MultipathAction] {
        let oldInterval = pollingInterval
        self.config = config
        var actions: [MultipathAction] = []
        for (devT, o) in orphans.sorted(by: { $0.key < $1.key }) {
            guard let choice = choices[devT] else { continue }
            undecide(devT)
            orphans[devT] = nil
            let again = addPath(o.identity, udevProperties: nil, choice: choice, now: now)
            // An orphan still refused for the same reason is not news.
            actions += orphans[devT]?.reason == o.reason ? again.filter { if case .note = $0 { false } else { true } } : again
        }
        for devT in paths.keys.sorted() {
            let p = paths[devT]!
            if case .accepted = config.blacklistVerdict(for: p.identity, udevProperties: udevProperties[devT]) {} else {
                let properties = udevProperties[devT]
                actions += removePath(devT, now: now)
                actions += addPath(p.identity, udevProperties: properties, choice: choices[devT] ?? p.settings, now: now)
                continue
            }
            if let choice = choices[devT] {
                paths[devT]!.settings = choice
                if choice.prio.value != p.settings.prio.value || choice.prioArgs != p.settings.prioArgs {
                    if choice.prio.value == "const" {
                        actions += priorityFinished(devT, 1, now: now)
                    } else if p.health.state.isUsable {
                        actions.append(.prioritize(devT))
                    }
                }
            }
            if pollingInterval != oldInterval {
                paths[devT]!.health.interval = pollingInterval
                if !p.health.probe.isInFlight { actions.append(schedule(devT, now: now)) }
            }
        }
        for wwid in maps.keys.sorted() {
            var map = maps[wwid]!
            map.settings = config.mapSettings(wwid: wwid, paths: members(of: wwid).map { paths[$0]!.identity })
            let revision = bindings.revision
            let name = config.mapName(wwid: wwid, settings: map.settings, bindings: &bindings, current: map.name,
                                      taken: { mapNames[$0].map { $0 != wwid } ?? false }).name
            if bindings.revision != revision { actions.append(.saveBindings) }
            if name != map.name, mapNames[name] != nil {
                actions.append(.note("\(map.name): not renamed to \(name): another map has that name"))
            } else if name != map.name {
                actions.append(.rename(map: map.name, to: name))
                mapNames[map.name] = nil
                mapNames[name] = wwid
                map.name = name
            }
            if map.noPathRetry == .fail && map.queueing {
                map.queueing = false
                actions.append(.setQueueing(map: map.name, false))
            }
            maps[wwid] = map
            dirty.insert(wwid)
        }
        actions += commit(now: now)
        for wwid in maps.keys.sorted() where !dirty.contains(wwid) {
            actions += mapReacts(wwid, wentDown: false, usableCheck: false, now: now)
        }
        return actions
    }

    /// Shutdown: unless `queue_without_daemon` is set, maps stop queueing (nobody would reinstate a path).
    public func shutdown() -> [MultipathAction] {
        guard !config.queueWithoutDaemon && !admin.queueWithoutDaemonForced else { return [] }
        return maps.values.filter(\.queueing).sorted { $0.name < $1.name }.map { .setQueueing(map: $0.name, false) }
    }
}
