/// A new configuration applied to what exists, and shutdown.
extension Multipaths {
    // MARK: Reconfigure

    /// A new configuration, applied as 0.9.4's reconfigure does. Orphans are judged again (a path no
    /// longer refused joins its map) and every path takes its new checker and prioritizer (`choices`,
    /// resolved by the daemon, orphans included; a new prioritizer asks for a priority); a path now
    /// refused (blacklisted, a USB disk) leaves its map. Each map's settings and name are resolved again (a new name renames
    /// it) and the map is rebuilt, reloaded only if its table differs. A new `polling_interval`
    /// reschedules every check. An operator's `forcequeueing daemon` ends.
    public mutating func reconfigure(_ config: Config, choices: [DevT: PathChoice], now: Instant) -> [MultipathAction] {
        let oldInterval = pollingInterval
        self.config = config
        // 0.9.4 keeps `forcequeueing daemon` in its configuration: the file read again replaces it.
        admin.queueWithoutDaemonForced = false
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
            guard let p = paths[devT] else { continue }
            if refusal(p.identity) != nil {
                let properties = udevProperties[devT]
                actions += removePath(devT, now: now)
                actions += addPath(p.identity, udevProperties: properties, choice: choices[devT] ?? p.settings, now: now)
                continue
            }
            if let choice = choices[devT] {
                paths[devT]?.settings = choice
                if choice.prio.value != p.settings.prio.value || choice.prioArgs != p.settings.prioArgs {
                    if choice.prio.value == .const {
                        actions += priorityFinished(devT, 1, now: now)
                    } else if p.health.state.isUsable {
                        actions.append(.prioritize(devT))
                    }
                }
            }
            if pollingInterval != oldInterval {
                let interval = pollingInterval
                paths[devT]?.health.interval = interval
                if !p.health.probe.isInFlight { actions.append(schedule(devT, now: now)) }
            }
        }
        for (wwid, old) in maps.sorted(by: { $0.key < $1.key }) {
            let settings = config.mapSettings(wwid: wwid.rawValue, paths: members(of: wwid).compactMap { paths[$0]?.identity })
            index.modify(wwid) {
                $0.settings = settings
                $0.transportsTuned = false
                $0.reservationKeysRead = false
                $0.shownAction = .nothing
            }
            let revision = bindings.revision
            let name = config.mapName(
                wwid: wwid.rawValue, settings: settings, bindings: &bindings, current: old.name,
                taken: { index.isTaken($0, byOtherThan: wwid) }
            ).name
            if bindings.revision != revision { actions.append(.saveBindings) }
            if name != old.name, index.isTaken(name) {
                actions.append(.note("\(old.name): not renamed to \(name): another map has that name"))
            } else if name != old.name {
                actions.append(.rename(map: old.name, to: name, udevFlags: settings.skipKpartx.value ? .noKpartx : []))
                index.rename(wwid, to: name)
            }
            if let map = index[wwid], map.noPathRetry == .fail && map.queueing {
                index.modify(wwid) { $0.queueing = false }
                actions.append(.setQueueing(map: map.name, false))
            }
            dirty.insert(wwid)
        }
        actions += commit(now: now)
        for wwid in maps.keys.sorted() where !dirty.contains(wwid) {
            actions += mapReacts(wwid, wentDown: false, usableCheck: false, now: now)
        }
        return actions
    }

    /// Shutdown: unless `queue_without_daemon` is set, maps stop queueing (nobody would reinstate a path).
    /// As 0.9.4, every map is told, not only those the model sees queueing: one set to queue behind our
    /// back would otherwise hold its I/O for good.
    public func shutdown() -> [MultipathAction] {
        guard !config.queueWithoutDaemon && !admin.queueWithoutDaemonForced else { return [] }
        return maps.values.sorted { $0.name < $1.name }.map { .setQueueing(map: $0.name, false) }
    }
}
