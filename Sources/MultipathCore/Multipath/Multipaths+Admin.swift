/// What operators change over the control socket, as 0.9.4's cli_handlers.c does it. Each operation
/// checks what it is given, changes the model and returns the actions to carry out; a refusal says why
/// (the socket answers `fail` and logs it).
struct AdminState: Sendable {
    /// `fail path`: checks are off until `reinstate path`, as 0.9.4 disables the path's checker.
    var failedByOperator: Set<DevT> = []
    /// `setmarginal path`: grouped apart under `marginal_pathgroups`, shown as marginal.
    var marginal: Set<DevT> = []
    /// `forcequeueing daemon`: shutdown leaves queueing on, as `queue_without_daemon yes` would.
    var queueWithoutDaemonForced = false

    mutating func forget(_ devT: DevT) {
        failedByOperator.remove(devT)
        marginal.remove(devT)
    }
}

public struct AdminRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Config {
    public var prkeysFile: String { string(global(.prkeys_file)?.value) ?? "/etc/multipath/prkeys" }
    public var marginalPathgroups: Bool {
        if case .onOff(let on)? = global(.marginal_pathgroups)?.value { return on }
        return false
    }
}

extension Multipaths {
    func mapHolding(_ devT: DevT) throws(AdminRefusal) -> MultipathMap {
        guard let p = paths[devT], let wwid = p.identity.mapWWID, let map = maps[wwid], map.members.contains(devT) else {
            throw AdminRefusal("\(paths[devT]?.name ?? orphans[devT]?.identity.name ?? "\(devT)") is in no map")
        }
        return map
    }

    // MARK: Paths

    /// `fail path`: fail_path, and no checks until `reinstate path` (0.9.4 disables the checker); the path
    /// shows faulty, as 0.9.4 marks it after the DM event.
    public mutating func failPathByOperator(_ devT: DevT, now: Instant) throws(AdminRefusal) -> [MultipathAction] {
        let map = try mapHolding(devT)
        admin.failedByOperator.insert(devT)
        // A fault as any other in 0.9.4: the kernel counts the path's failure, the map its path fault.
        if paths[devT]?.health.membership != .failed {
            paths[devT]?.health.failures += 1
            index.modify(map.wwid) { $0.stats.pathFailed(at: now) }
        }
        paths[devT]?.health.membership = .failed
        if paths[devT]?.health.state != .down {
            paths[devT]?.health.state = .down
            reprobePace.changed()
            paths[devT]?.health.lastChange = now
        }
        return [.note("\(map.name): fail path \(devT) (operator)"), .fail(map: map.name, devT)]
            + mapReacts(map.wwid, wentDown: true, usableCheck: false, now: now)
    }

    /// `reinstate path`: reinstate_path, checks back on, and one at once so that the state follows the
    /// path again (a path that is still down is failed again by that check).
    public mutating func reinstatePathByOperator(_ devT: DevT, now: Instant) throws(AdminRefusal) -> [MultipathAction] {
        let map = try mapHolding(devT)
        admin.failedByOperator.remove(devT)
        paths[devT]?.health.membership = .active
        var actions: [MultipathAction] = [.note("\(map.name): reinstate path \(devT) (operator)"), .reinstate(map: map.name, devT)]
        if paths[devT]?.health.probe == .idle {
            paths[devT]?.health.probe = .inFlight
            actions.append(.check(devT))
        }
        return actions + mapReacts(map.wwid, cameUp: devT, wentDown: false, usableCheck: false, now: now)
    }

    /// Whether `add path NAME` stops at the devnode blacklist: 0.9.4 judges the name as typed (without
    /// `/dev/`) before it looks a device up, so `ram0` or a name no device has answers `blacklisted`.
    public func operatorPathNameBlacklisted(_ name: String) -> Bool {
        let verdict = config.blacklist.verdict(
            devnode: name, vendor: nil, product: nil, protocol: nil, wwid: nil, udevProperties: nil, uidAttribute: nil)
        if case .blacklisted = verdict { return true }
        return false
    }

    /// `add path` for a path that is multipathed already: its map is built again if it was flushed.
    /// Returns nil for a path that is not multipathed (an orphan is forgotten first, so that the add
    /// that follows decides again: blacklist, find_multipaths).
    public mutating func addKnownPathByOperator(_ devT: DevT, now: Instant) -> [MultipathAction]? {
        guard let p = paths[devT], let wwid = p.identity.mapWWID else {
            undecide(devT)
            orphans[devT] = nil
            return nil
        }
        guard maps[wwid] == nil else { return [] }
        dirty.insert(wwid)
        return [.note("\(p.name): add path (operator)")] + build(wwid, now: now)
    }

    /// `setmarginal path` / `unsetmarginal path`: the map is reloaded, regrouped under `marginal_pathgroups`.
    public mutating func setMarginal(_ devT: DevT, _ on: Bool, now: Instant) throws(AdminRefusal) -> [MultipathAction] {
        let map = try mapHolding(devT)
        if on { admin.marginal.insert(devT) } else { admin.marginal.remove(devT) }
        return [.note("\(map.name): \(on ? "set" : "unset") marginal path \(devT) (operator)")] + reloadByOperator(map.wwid, now: now)
    }

    /// `unsetmarginal map`.
    public mutating func unsetMarginal(map wwid: WWID, now: Instant) -> [MultipathAction] {
        guard let map = maps[wwid] else { return [] }
        for d in map.members { admin.marginal.remove(d) }
        return [.note("\(map.name): unset all marginal paths (operator)")] + reloadByOperator(wwid, now: now)
    }

    // MARK: Maps

    /// `switch map M group N`: switch_group; the failback policy may switch back later, as in 0.9.4.
    public mutating func switchGroupByOperator(_ wwid: WWID, group text: String) throws(AdminRefusal) -> [MultipathAction] {
        guard let map = maps[wwid] else { return [] }
        guard let n = Int(text), n >= 1, n <= map.table.groups.count else {
            throw AdminRefusal("\(map.name): no path group '\(text)' (the map has \(map.table.groups.count))")
        }
        var actions: [MultipathAction] = [.note("\(map.name): switch to path group #\(n) (operator)")]
        index.modify(wwid) { $0.switchGroup(to: n, byOperator: true, &actions) }
        return actions
    }

    /// `disablequeueing`: the map acts as `no_path_retry fail` until `restorequeueing`, across reloads.
    public mutating func disableQueueing(_ wwid: WWID) -> [MultipathAction] {
        guard var map = maps[wwid] else { return [] }
        map.queueingDisabled = true
        map.queueingEndsAt = nil
        map.queueing = false
        index.update(map)
        return [
            .note("\(map.name): disable map queueing (operator)"), .setQueueing(map: map.name, false),
            .setMapTimer(wwid: wwid, at: nextDeadline(wwid))
        ]
    }

    /// `restorequeueing`: the configured `no_path_retry` again. As 0.9.4's set_no_path_retry: `queue`
    /// queues at once; `N` queues while a path is usable (with none, I/O keeps failing).
    public mutating func restoreQueueing(_ wwid: WWID, now: Instant) -> [MultipathAction] {
        guard var map = maps[wwid] else { return [] }
        guard map.queueingDisabled else { return [.note("\(map.name): queueing not disabled, nothing to do")] }
        map.queueingDisabled = false
        var actions: [MultipathAction] = [.note("\(map.name): restore map queueing (operator)")]
        if map.noPathRetry == .queue {
            map.queueing = true
            actions.append(.setQueueing(map: map.name, true))
        }
        index.update(map)
        return actions + mapReacts(wwid, wentDown: false, usableCheck: false, now: now)
    }

    /// `forcequeueing daemon` (true) / `restorequeueing daemon`: whether shutdown leaves queueing on
    /// when `queue_without_daemon` is off.
    public mutating func forceQueueingWithoutDaemon(_ on: Bool) -> [MultipathAction] {
        admin.queueWithoutDaemonForced = on && !config.queueWithoutDaemon
        return [.note("\(on ? "force" : "restore") queue_without_daemon (operator)")]
    }

    public func suspendByOperator(_ wwid: WWID) -> [MultipathAction] { maps[wwid].map { [.suspend(map: $0.name)] } ?? [] }
    /// 0.9.4's `resume map` tests `skip_kpartx`'s state, never 0 once chosen, so kpartx is always skipped;
    /// it refuses a new map udev has not seen yet (`missing_uev_wait_timeout`).
    public func resumeByOperator(_ wwid: WWID) throws(AdminRefusal) -> [MultipathAction] {
        guard let map = maps[wwid] else { return [] }
        if udevWait[wwid] != nil { throw AdminRefusal("\(map.name): device not fully created, failing resume") }
        return [.resume(map: map.name, udevFlags: .noKpartx)]
    }

    /// `reload map`: the table built from the configuration again and loaded, even if unchanged.
    public mutating func reloadByOperator(_ wwid: WWID, now: Instant) -> [MultipathAction] {
        dirty.insert(wwid)
        return build(wwid, now: now, force: true)
    }

    /// `resize map`: `sizes` are the paths' sizes read from sysfs now (512-byte sectors; 0 unknown).
    /// They must agree; the map is reloaded with the new size.
    public mutating func resizeByOperator(_ wwid: WWID, sizes: [DevT: UInt64], now: Instant) throws(AdminRefusal) -> [MultipathAction] {
        guard let map = maps[wwid] else { return [] }
        let known = Set(sizes.values.filter { $0 > 0 })
        guard let size = known.first else { throw AdminRefusal("\(map.name): couldn't get size from sysfs, cannot resize") }
        guard known.count == 1 else { throw AdminRefusal("\(map.name): path sizes differ (\(known.sorted())), cannot resize") }
        guard size != map.sizeSectors else { return [.note("\(map.name): map is still the same size (\(size))")] }
        for (d, s) in sizes where s > 0 { paths[d]?.identity.sizeSectors = s }
        dirty.insert(wwid)
        return [.note("\(map.name): old size is \(map.sizeSectors), new size is \(size)")] + build(wwid, now: now, force: true)
    }

    /// `add map`: a map we have is left alone; otherwise M is a WWID (or a bound alias) whose paths we
    /// know, and its map is built from them.
    public mutating func addMapByOperator(_ text: String, now: Instant) throws(AdminRefusal) -> [MultipathAction] {
        if map(named: text) != nil || maps[WWID(text)] != nil { return [] }
        let wwid = WWID(bindings.wwid(forAlias: text) ?? text)
        guard !members(of: wwid).isEmpty else {
            if orphans.values.contains(where: { $0.identity.wwid == wwid.rawValue && $0.reason.isBlacklisted }) {
                throw AdminRefusal("\(text): map blacklisted")
            }
            throw AdminRefusal("\(text): unknown map (no multipathed path has this WWID or alias)")
        }
        dirty.insert(wwid)
        return [.note("\(text): add map (operator)")] + build(wwid, now: now)
    }

    /// `del map`: removed if not open; `mapFlushed` once the kernel removed it.
    public func flushByOperator(_ wwid: WWID) -> [MultipathAction] { maps[wwid].map { [.flush(map: $0.name, wwid: wwid)] } ?? [] }

    /// The operator's flush succeeded: the map is forgotten; its paths stay known, in no map, until a
    /// path add or `add map` builds it again.
    public mutating func mapFlushed(_ wwid: WWID) -> [MultipathAction] {
        guard let map = maps[wwid] else { return [] }
        forgetMap(wwid)
        dirty.remove(wwid)
        for d in map.members { admin.failedByOperator.remove(d) }
        return [.note("\(map.name): removed (operator)"), .setMapTimer(wwid: wwid, at: nil)]
    }
}
