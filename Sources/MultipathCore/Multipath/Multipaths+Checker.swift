/// Checking: when a path is probed, what a verdict does to it (the critical path), and priorities.
extension Multipaths {
    // MARK: Checking

    /// A scheduled check is due. Asks for it unless one is still out (one probe in flight per path).
    public mutating func checkDue(_ devT: DevT, now: Instant) -> [MultipathAction] {
        guard let p = paths[devT] else { return retriggerDue(devT) }
        guard !p.health.probe.isInFlight else { return [] }
        // As 0.9.4's disabled checker: a path failed by the operator stays failed until reinstated.
        if admin.failedByOperator.contains(devT) { return [schedule(devT, now: now)] }
        paths[devT]!.health.probe = .inFlight
        return [.check(devT)]
    }

    /// The checker's verdict: the critical path. `issued`: when the check was sent (its latency).
    /// `wwidChecked`: `recheck_wwid` already read the WWID again for this verdict; `reservationChecked`:
    /// the map's reservation key was registered on the path for it.
    public mutating func checkerFinished(
        _ devT: DevT, _ verdict: CheckerVerdict, issued: Instant? = nil, now: Instant, wwidChecked: Bool = false,
        reservationChecked: Bool = false
    ) -> [MultipathAction] {
        guard var p = paths[devT] else { return [] }
        // 0.9.4's check_path: a path coming back (usable after failing, or failed in DM) has its WWID read
        // again before it is reinstated. The probe stays out meanwhile; other paths are not held.
        if !wwidChecked, p.settings.recheckWWID, verdict.state.isUsable, p.identity.wwid != nil,
            !admin.failedByOperator.contains(devT), p.health.state != .unchecked,
            !p.health.state.isUsable || p.health.membership == .failed
        {
            return [.recheckWWID(devT, verdict, issued: issued)]
        }
        // Likewise the map's reservation key is registered on a path before it joins the map or is
        // reinstated: I/O sent to it before would end in RESERVATION CONFLICT.
        if !reservationChecked, !admin.failedByOperator.contains(devT), let wwid = waitsForReservation(p, verdict) {
            return [.registerReservation(wwid, devT, verdict, issued: issued)]
        }
        let recheck = p.health.probe == .inFlightRecheck
        p.health.probe = .idle
        if let offline = verdict.deviceOffline ?? (verdict.state.isUsable ? false : nil) { p.health.deviceOffline = offline }
        if let issued { p.health.checkLatency.record(now - issued) }
        if admin.failedByOperator.contains(devT) {
            paths[devT] = p
            return [schedule(devT, now: now)]
        }
        let old = p.health.state
        var new = verdict.state
        let wwid = p.identity.mapWWID!
        var actions: [MultipathAction] = []
        let map = maps[wwid]

        if new == .pending {
            // No answer yet (ALUA transitioning): nothing changes but the first state, probe again soon.
            if old == .unchecked {
                p.health.state = .pending
                reprobePace.changed()
            }
        } else {
            if let map {
                new = sanPathErr(
                    &p.health, from: old, to: new, othersUsable: usableCount(map, except: devT) > 0, settings: map.settings, now: now)
            }
            if new != old {
                p.health.state = new
                reprobePace.changed()
                p.health.lastChange = now
                p.health.interval = pollingInterval
                p.health.errorLoggedAt = now
                actions.append(.note("\(p.name): \(old.rawValue) -> \(new.rawValue) (\(verdict.reason))"))
            } else if new.isUsable {
                p.health.interval = min(p.health.interval * 2, maxPollingInterval)
            } else if new == .down, let map, let note = repeatedCheckerError(&p.health, map: map.name, path: p.name, verdict, now: now) {
                actions.append(note)
            }
        }

        var cameUp: DevT?, wentDown = false
        if let map {
            if p.health.membership == .failed {
                p.health.usableSince = verdict.state.isUsable ? p.health.usableSince ?? issued ?? now : nil
            }
            if p.health.membership == .failed && new.isUsable {
                actions.append(.reinstate(map: map.name, devT))
                p.health.membership = .active
                cameUp = devT
                index.modify(wwid) { $0.stats.reinstate.record(now - (p.health.usableSince ?? now)) }
                p.health.usableSince = nil
            } else if p.health.membership == .active && Self.isFailing(new) {
                actions.append(.fail(map: map.name, devT))
                p.health.membership = .failed
                wentDown = true
                p.health.failures += 1
                index.modify(wwid) { $0.stats.pathFailed(at: issued ?? now) }
            }
        }
        paths[devT] = p
        // A failing path found failing again changes nothing its map reacts to (the usable count, a
        // deferred failback's checks): the verdict a fabric's paths repeat every re-probe stays cheap.
        if map != nil && (new != old || cameUp != nil || wentDown || new.isUsable) {
            actions += mapReacts(wwid, cameUp: cameUp, wentDown: wentDown, usableCheck: new.isUsable, now: now)
        }

        if recheck {
            paths[devT]!.health.probe = .inFlight
            actions.append(.check(devT))
        } else {
            actions.append(schedule(devT, now: now))
        }
        if new.isUsable && p.settings.prio.value != .const { actions.append(.prioritize(devT)) }
        actions += build(wwid, now: now)
        return actions
    }

    /// `recheck_wwid`'s answer: the WWID the device reports now (nil: it could not be read). The same
    /// WWID, or none, lets the verdict through; another removes the path from its map, as 0.9.4's
    /// handle_path_wwid_change, and asks udev to add it again, so that it joins the map of its new WWID.
    public mutating func wwidRechecked(
        _ devT: DevT, deviceWWID: String?, _ verdict: CheckerVerdict, issued: Instant?, now: Instant
    ) -> [MultipathAction] {
        guard let p = paths[devT], let old = p.identity.wwid else { return [] }
        guard let fresh = deviceWWID, fresh != old else {
            let note: [MultipathAction] = deviceWWID == nil ? [.note("\(p.name): failed to check wwid by sgio")] : []
            return note + checkerFinished(devT, verdict, issued: issued, now: now, wwidChecked: true)
        }
        var actions: [MultipathAction] = [.note("\(p.name): wwid '\(old)' doesn't match wwid '\(fresh)' from device")]
        actions += removePath(devT, now: now)
        actions += orphan(p.identity, .wwidChanged(from: old, to: fresh))
        return actions + [.triggerAdd(disk: p.name)]
    }

    /// A path still down: under `log_checker_err always` (the default) its checker's error is logged
    /// again as 0.9.4 logs it at level 2, at most once per polling interval (0.9.4 checks a failed path
    /// that often; ours may be probed every `failed_path_reprobe_ms`). Under `once` the repeats are left
    /// to the -v3 line the daemon writes for every verdict, as 0.9.4 logs them at level 3.
    func repeatedCheckerError(_ h: inout PathHealth, map: String, path: String, _ verdict: CheckerVerdict, now: Instant)
        -> MultipathAction?
    {
        guard config.logCheckerErr == .always, h.errorLoggedAt.map({ now - $0 >= pollingInterval }) ?? true else { return nil }
        h.errorLoggedAt = now
        return .note("\(map): \(path) - \(verdict.reason)")
    }

    /// States in which a path must not be active in the kernel's table.
    public static func isFailing(_ s: PathState) -> Bool {
        switch s {
        case .down, .timeout, .shaky, .wild, .delayed: true
        case .up, .ghost, .unchecked, .pending: false
        }
    }

    /// `san_path_err_threshold/forget_rate/recovery_time` (all three set): a path that failed `threshold`
    /// times is held back (`delayed`) for `recovery_time` seconds after it comes back, unless it is the
    /// map's last usable path; every `forget_rate` good checks forgive one failure.
    func sanPathErr(
        _ h: inout PathHealth, from old: PathState, to new: PathState, othersUsable: @autoclosure () -> Bool,
        settings: ResolvedMapSettings, now: Instant
    ) -> PathState {
        guard let threshold = settings.sanPathErrThreshold.value, let forget = settings.sanPathErrForgetRate.value,
            let recovery = settings.sanPathErrRecoveryTime.value
        else { return new }
        if Self.isFailing(new) {
            if old.isUsable {
                h.sanFailures += 1
                h.sanGoodChecks = 0
            }
            return new
        }
        guard new.isUsable else { return new }
        if h.heldUntil != nil || (Self.isFailing(old) && h.sanFailures >= threshold) {
            let until = h.heldUntil ?? now + .seconds(recovery)
            if now < until && othersUsable() {
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

    /// The next check: healthy paths at their interval, with a window before it so that checks of a
    /// map's paths that fall due close together share one wakeup; failing ones at their phase of the
    /// re-probe interval (`ReprobePace`), or the polling interval when `failed_path_reprobe_ms` is off.
    /// A busy loop fires a check as soon as its window opens, so the window is short: a sixteenth of
    /// the interval checks a thousand paths 7% more often than the interval, a quarter did a third more.
    mutating func schedule(_ devT: DevT, now: Instant) -> MultipathAction {
        let h = paths[devT]!.health
        if !h.state.isUsable, let reprobe = config.failedPathReprobe {
            if reprobePace.countIsDue(now: now) { reprobePace.counted(paths.values.count { !$0.health.state.isUsable }, now: now) }
            let interval = reprobePace.interval(reprobe: reprobe, cap: pollingInterval)
            let at = ReprobePace.next(devT, interval: interval, now: now)
            return .scheduleCheck(devT, earliest: at - ReprobePace.window(interval), latest: at)
        }
        let latest = now + h.interval
        return .scheduleCheck(devT, earliest: latest - h.interval / 16, latest: latest)
    }

    /// The prioritizer's answer (nil: it failed; 0.9.4's PRIO_UNDEF). A changed priority may regroup
    /// the map (a reload) and may change the best group (failback).
    public mutating func priorityFinished(_ devT: DevT, _ priority: Int?, now: Instant) -> [MultipathAction] {
        guard let p = paths[devT], let wwid = p.identity.mapWWID else { return [] }
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
}
