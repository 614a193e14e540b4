/// The daemon's decisions, as a state machine over paths and maps: inputs are values and `now`,
/// outputs are `MultipathAction`s. Nothing here does I/O or reads a clock.
///
/// The critical path is `checkerFinished`: verdict -> path state -> reinstate or fail -> queueing ->
/// group priorities -> failback. Maps are built or reloaded only in `commit`, once every path of a
/// WWID has had its first check and priority, so that many adds for one WWID make one create.
public struct Multipaths: Sendable {
    public internal(set) var config: Config
    public internal(set) var paths: [DevT: MultipathPath] = [:]
    /// Maps by WWID, and their names.
    var index = MapIndex()
    public var maps: [WWID: MultipathMap] { _read { yield index.maps } }
    /// Paths seen but not multipathed, with the reason (blacklisted, no WWID, find_multipaths...).
    public internal(set) var orphans: [DevT: (identity: PathIdentity, reason: OrphanReason)] = [:]
    public internal(set) var wwids: WWIDsFile
    public internal(set) var bindings: Bindings

    var byWWID: [WWID: Set<DevT>] = [:]
    /// WWIDs whose map must be built or checked against its table at the next `commit`.
    var dirty: Set<WWID> = []
    /// find_multipaths smart: WWIDs waiting for a second path until an instant.
    var waiting: [WWID: Instant] = [:]
    /// ghost_delay: new maps with only ghost paths, waiting for an active one until an instant.
    var ghostWait: [WWID: Instant] = [:]
    /// Orphans find_multipaths (on, smart) takes when a second path of their WWID comes, by WWID, with
    /// their checker and prioritizer.
    var undecided: [WWID: [DevT: PathChoice]] = [:]
    /// The udev property names each path came with, for the blacklist again at reconfigure.
    var udevProperties: [DevT: [String]] = [:]
    /// Path states found in maps adopted at start, for paths not yet enumerated.
    var adoptedState: [DevT: Bool] = [:]
    /// What operators set over the control socket (`Multipaths+Admin.swift`).
    var admin = AdminState()
    /// WWIDs whose map could not be made (/run/multipath/failed_wwids).
    public internal(set) var failedWWIDs: Set<WWID>
    /// New maps whose creation uevent udev has not processed yet: reloads wait until then, at most
    /// until the instant (`missing_uev_wait_timeout`); `held` when one is waiting.
    var udevWait: [WWID: (until: Instant, held: Bool)] = [:]
    /// The change uevents asked for paths udev set up without their `uid_attribute`.
    var retriggers: [DevT: Int] = [:]
    /// 0.9.4's path order: `show paths`, and a map's paths in its table.
    var discovery = DiscoveryOrder()
    /// Transports (`Multipaths+Transport`) last read not ready: their return re-probes their paths.
    var transportsDown: Set<TransportPort> = []
    /// How often failing paths are probed again.
    var reprobePace = ReprobePace()

    public init(config: Config, wwids: WWIDsFile = WWIDsFile(), bindings: Bindings = Bindings(), failedWWIDs: Set<WWID> = []) {
        self.config = config
        self.wwids = wwids
        self.bindings = bindings
        self.failedWWIDs = failedWWIDs
    }

    var pollingInterval: Duration { .seconds(max(config.pollingInterval, 1)) }
    var maxPollingInterval: Duration { max(.seconds(config.maxPollingInterval), pollingInterval) }

    public func map(named name: String) -> MultipathMap? { index.wwid(named: name).flatMap { index[$0] } }
    /// The paths of a WWID, in discovery order.
    public func members(of wwid: WWID) -> [DevT] { byWWID[wwid].map { discovery.sorted($0) } ?? [] }

    // MARK: Paths coming and going

    /// A path appeared (add uevent, or the enumeration at start). Blacklist and find_multipaths decide
    /// whether it is multipathed; if so its first check is asked for and its map marked for building.
    public mutating func addPath(
        _ identity: PathIdentity, udevProperties: [String]?, choice: PathChoice,
        now: Instant
    ) -> [MultipathAction] {
        if paths[identity.devT] != nil || orphans[identity.devT] != nil {
            return changePath(identity, udevProperties: udevProperties, choice: choice, now: now)
        }
        discovery.saw(identity.devT)
        if let udevProperties { self.udevProperties[identity.devT] = udevProperties }
        if let refused = refusal(identity) { return orphan(identity, refused) }
        if let udevProperties, let wait = retrigger(identity, udevProperties: udevProperties, now: now) { return wait }
        guard let wwid = identity.mapWWID else { return orphan(identity, .noWWID) }
        if let mismatch = sizeMismatch(identity, wwid) { return orphan(identity, mismatch) }
        let policy = FindMultipathsPolicy(config)
        // Only smart mode's wait depends on the hardware table; matching it costs a regex per entry.
        let known = policy.mode == .smart && config.pathSettings(for: identity).isKnownHardware
        // Siblings are the WWID's other paths, those find_multipaths refused so far included (0.9.4
        // looks for them among all the paths it knows).
        let siblings = (byWWID[wwid]?.count ?? 0) + (undecided[wwid]?.count ?? 0)
        switch policy.decide(
            knownWWID: wwids.contains(wwid.rawValue), mapExists: maps[wwid] != nil, siblings: siblings,
            knownHardware: known, firstSeen: now, now: now)
        {
        case .multipath:
            // A new path of a map udev has not claimed yet is told again (0.9.4's ev_add_path).
            var actions = admit(identity, choice: choice, now: now) + (maps[wwid] == nil ? [] : Self.claim([identity]))
            // A second path decides for the ones find_multipaths held back.
            waiting[wwid] = nil
            for (devT, choice) in (undecided.removeValue(forKey: wwid) ?? [:]).sorted(by: { $0.key < $1.key }) {
                let o = orphans.removeValue(forKey: devT)!
                actions += admit(o.identity, choice: choice, now: now)
            }
            return actions
        case .notMultipath:
            if policy.mode == .on || policy.mode == .smart { undecided[wwid, default: [:]][identity.devT] = choice }
            return orphan(identity, .notMultipathed(policy.mode))
        case .waitUntil(let t):
            undecided[wwid, default: [:]][identity.devT] = choice
            waiting[wwid] = min(waiting[wwid] ?? t, t)
            return orphan(identity, .waitingForSecondPath(until: t)) + [.setMapTimer(wwid: wwid, at: nextDeadline(wwid))]
        }
    }

    /// Why a path is refused before find_multipaths is asked, if it is: a USB disk without
    /// `allow_usb_devices` (0.9.4 skips it before its blacklist), the blacklist.
    func refusal(_ identity: PathIdentity) -> OrphanReason? {
        if identity.transport == .scsi(.usb) && !config.allowUSBDevices { return .usbDevice }
        switch config.blacklistVerdict(for: identity, udevProperties: udevProperties[identity.devT]) {
        case .accepted: break
        case .blacklisted(let by, let rule): return .blacklisted(by, rule: rule)
        case .missingProperty: return .missingUdevProperty
        }
        return nil
    }

    /// A path whose size differs from its map's, or from the size of the paths of its WWID already
    /// taken (the map to be), as 0.9.4's ev_add_path refuses it; an unknown size (0) is no mismatch.
    func sizeMismatch(_ identity: PathIdentity, _ wwid: WWID) -> OrphanReason? {
        let expected = maps[wwid]?.sizeSectors ?? byWWID[wwid]?.first.flatMap { paths[$0]?.identity.sizeSectors }
        guard let expected, expected != 0, identity.sizeSectors != 0, identity.sizeSectors != expected else { return nil }
        let name = maps[wwid]?.name ?? wwid.rawValue
        return .sizeMismatch(map: name, sectors: identity.sizeSectors, expected: expected)
    }

    mutating func orphan(_ identity: PathIdentity, _ reason: OrphanReason) -> [MultipathAction] {
        orphans[identity.devT] = (identity, reason)
        return [.note("\(identity.name): \(reason)")]
    }

    /// Smart find_multipaths no longer holds the path.
    mutating func undecide(_ devT: DevT) {
        guard let wwid = orphans[devT]?.identity.mapWWID else { return }
        undecided[wwid]?[devT] = nil
        if undecided[wwid]?.isEmpty ?? false { undecided[wwid] = nil }
    }

    mutating func admit(_ identity: PathIdentity, choice: PathChoice, now: Instant) -> [MultipathAction] {
        let wwid = identity.mapWWID!
        var health = PathHealth(interval: pollingInterval, now: now)
        health.membership = TableMembership(active: adoptedState.removeValue(forKey: identity.devT))
        health.probe = .inFlight
        if choice.prio.value == .const { health.priority = 1 }
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
        discovery.forget(devT)
        udevProperties[devT] = nil
        retriggers[devT] = nil
        undecide(devT)
        admin.forget(devT)
        if orphans.removeValue(forKey: devT) != nil { return [.forget(devT)] }
        guard let path = paths.removeValue(forKey: devT), let wwid = path.identity.mapWWID else { return [] }
        var actions: [MultipathAction] = [.forget(devT), .note("\(path.name): removed")]
        byWWID[wwid]?.remove(devT)
        if byWWID[wwid]?.isEmpty ?? false { byWWID[wwid] = nil }
        guard var map = maps[wwid] else { return actions + build(wwid, now: now) }
        if byWWID[wwid] == nil {
            dirty.remove(wwid)
            if map.settings.flushOnLastDelete.value && map.queueing { actions.append(.setQueueing(map: map.name, false)) }
            let empty = MultipathTable(
                features: map.table.features.filter { $0 != "queue_if_no_path" },
                hardwareHandler: map.table.hardwareHandler, initialGroup: 0, groups: [])
            (map.members, map.table, map.currentGroup, map.queueing) = ([], empty, 0, false)
            (map.queueingEndsAt, map.failbackAt) = (nil, nil)
            index.update(map)
            actions += [
                .remove(
                    map: map.name,
                    fallback: MapLoad(
                        name: map.name, wwid: wwid, sizeSectors: map.sizeSectors, table: empty,
                        readOnly: map.readOnly,
                        udevFlags: .forLoad(reload: true, rescan: false, usablePaths: 0, skipKpartx: map.settings.skipKpartx.value)),
                    deferred: map.settings.deferredRemove.value),
                .setMapTimer(wwid: wwid, at: nil)
            ]
            return actions
        }
        dirty.insert(wwid)
        return actions + build(wwid, now: now)
    }

    /// A `change` uevent, as 0.9.4 handles it: a new WWID takes the path out of its map and in again as
    /// a new path; a new size is taken when every path of the map agrees (the map is reloaded with it);
    /// a path turning read-only makes the map read-only, and it is writable again once all are.
    /// Both reloads happen in `build`, which compares size and mode with what the kernel has.
    public mutating func changePath(
        _ identity: PathIdentity, udevProperties: [String]? = nil, choice: PathChoice, now: Instant
    ) -> [MultipathAction] {
        let devT = identity.devT
        if case .udevIncomplete? = orphans[devT]?.reason {
            orphans[devT] = nil
            return addPath(identity, udevProperties: udevProperties, choice: choice, now: now)
        }
        if let o = orphans[devT] {
            if o.identity.wwid == identity.wwid {
                orphans[devT]?.identity = identity
                return []
            }
            undecide(devT)
            orphans[devT] = nil
            return addPath(identity, udevProperties: nil, choice: choice, now: now)
        }
        guard let old = paths[devT] else { return [] }
        if old.identity.wwid != identity.wwid {
            let note = MultipathAction.note(
                "\(identity.name): WWID changed from \(old.identity.wwid ?? "none") to \(identity.wwid ?? "none")")
            return [note] + removePath(devT, now: now) + addPath(identity, udevProperties: nil, choice: choice, now: now)
        }
        paths[devT]?.identity = identity
        guard let wwid = identity.mapWWID else { return [] }
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
}
