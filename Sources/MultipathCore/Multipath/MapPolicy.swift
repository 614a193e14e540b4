/// A map's policy, as 0.9.4's check_path ends and its map timers: which group to use (failback), and
/// whether to queue I/O with no usable path (`no_path_retry`). The checker's verdict path
/// (`Multipaths.mapReacts`), the map's timer (`Multipaths.mapTimerFired`) and the operator's
/// `switch map` all decide through these. Each appends what the kernel must be told to `actions`.
extension MultipathMap {
    /// `no_path_retry`, read as 0.9.4 does (`ResolvedMapSettings.effectiveNoPathRetry`); the operator's
    /// `disablequeueing` means `fail`.
    static func noPathRetry(_ settings: ResolvedMapSettings, queueingDisabled: Bool) -> NoPathRetry {
        queueingDisabled ? .fail : settings.effectiveNoPathRetry
    }

    var noPathRetry: NoPathRetry { Self.noPathRetry(settings, queueingDisabled: queueingDisabled) }

    /// The one place a group switch is made. The operator's is not counted as the daemon's (`%1`).
    mutating func switchGroup(to group: Int, byOperator: Bool = false, _ actions: inout [MultipathAction]) {
        currentGroup = group
        if !byOperator { stats.switchGroups += 1 }
        actions.append(.switchGroup(map: name, group))
    }

    /// Queueing once the map's usable paths are counted again: with none, `no_path_retry N` starts
    /// counting down; with some, the countdown and any failover end and queueing is turned back on.
    /// `pollingSeconds`: `polling_interval` as configured, for the note.
    mutating func queueingReacts(
        usable: Int, wentDown: Bool, pollingInterval: @autoclosure () -> Duration,
        pollingSeconds: @autoclosure () -> Int, now: Instant,
        _ actions: inout [MultipathAction]
    ) {
        if usable == 0 {
            if case .retries(let n) = noPathRetry, queueing, queueingEndsAt == nil {
                queueingEndsAt = now + pollingInterval() * n
                stats.queueing(true, now: now)
                actions.append(.note("\(name): no usable path, queueing for \(n) x \(pollingSeconds()) s"))
            }
            if wentDown && noPathRetry == .fail { stats.mapFailures += 1 }
        } else {
            queueingEndsAt = nil
            stats.queueing(false, now: now)
            if let since = stats.failoverSince {
                stats.failover.record(now - since)
                stats.failoverSince = nil
            }
            if noPathRetry != .fail && !queueing {
                queueing = true
                actions.append(.setQueueing(map: name, true))
            }
        }
    }

    /// The `no_path_retry N` countdown ran out: I/O fails from now if still no path is usable.
    mutating func queueingTimerFired(usable: Int, now: Instant, _ actions: inout [MultipathAction]) {
        queueingEndsAt = nil
        stats.queueing(false, now: now)
        if usable == 0 && queueing {
            stats.queueingTimeouts += 1
            queueing = false
            actions += [.setQueueing(map: name, false), .note("\(name): no_path_retry ran out, failing I/O")]
        }
    }

    /// A path failed: a deferred failback waits for the next usable check to be asked again.
    mutating func cancelFailback(_ actions: inout [MultipathAction]) {
        guard failbackAt != nil else { return }
        failbackAt = nil
        actions.append(.note("\(name): deferred failback cancelled by a path failure"))
    }

    /// A usable check with a usable path: the `failback` policy towards the best of `groups` (the
    /// loaded groups with today's states). `cameUp`: the path this check reinstated, if any.
    mutating func failbackReacts(groups: [[GroupMember]], cameUp: DevT?, now: Instant, _ actions: inout [MultipathAction]) {
        let best = Grouping.bestGroup(groups)
        guard best != currentGroup else { return }
        switch settings.failback.value {
        case .manual: break
        case .immediate:
            switchGroup(to: best, &actions)
        case .followover:
            // Only when the path that came up is the first of its group to come back.
            if let cameUp, let g = groups.firstIndex(where: { $0.contains { m in m.devT == cameUp } }),
                groups[g].filter(\.isUsable).count == 1, g + 1 == best
            {
                switchGroup(to: best, &actions)
            }
        case .deferred(let seconds):
            if cameUp != nil || failbackAt == nil {
                failbackAt = now + .seconds(seconds)
                actions.append(.note("\(name): failback to group \(best) in \(seconds) s"))
            }
        }
    }

    /// A deferred failback is due: to the best group now, if it is not the current one.
    mutating func failbackTimerFired(groups: [[GroupMember]], _ actions: inout [MultipathAction]) {
        failbackAt = nil
        let best = Grouping.bestGroup(groups)
        if best != currentGroup { switchGroup(to: best, &actions) }
    }
}
