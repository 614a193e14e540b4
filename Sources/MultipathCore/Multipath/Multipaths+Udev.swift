/// What udev is told and waited for, as 0.9.4 does: uevents after a map is made or fails, so that
/// Debian's rules (`multipath -u`) hand the paths to the map or back to the system (`domap`,
/// `dm_addmap_create`); a new map's own uevent (`wait_for_udev`); paths udev set up without their WWID
/// (`INIT_MISSING_UDEV`).
extension Multipaths {
    /// The kernel's answer to a `.create`. Made: the WWID is remembered in the wwids file and no longer
    /// failed, and if either changed, its paths udev has not claimed get a `change` uevent. Refused: the
    /// map is forgotten, the WWID marked failed, and the first time its claimed paths get an `add`
    /// uevent, which frees them.
    public mutating func mapCreateFinished(_ wwid: WWID, succeeded: Bool) -> [MultipathAction] {
        let members = members(of: wwid).compactMap { paths[$0]?.identity }
        if succeeded {
            var actions: [MultipathAction] = []
            if wwids.add(wwid.rawValue) != nil { actions.append(.rememberWWID(wwid)) }
            if failedWWIDs.remove(wwid) != nil { actions.append(.unmarkFailedWWID(wwid)) }
            return actions + (actions.isEmpty ? [] : Self.claim(members))
        }
        // The map is not there: the next change of its paths tries again.
        forgetMap(wwid)
        guard failedWWIDs.insert(wwid).inserted else { return [.setMapTimer(wwid: wwid, at: nil)] }
        return [.setMapTimer(wwid: wwid, at: nil), .markFailedWWID(wwid)] + Self.release(members)
    }

    /// `change` uevents for the paths udev's rules have not claimed, or claimed only while smart
    /// find_multipaths waits.
    static func claim(_ paths: [PathIdentity]) -> [MultipathAction] {
        paths.filter { $0.udevClaim != .claimed }.map { .triggerUevent(device: $0.name, .change) }
    }

    /// `add` uevents for the paths udev's rules claimed; `add` and not `change`, since LVM's rules act
    /// on adds only.
    static func release(_ paths: [PathIdentity]) -> [MultipathAction] {
        paths.filter { $0.udevClaim != .unclaimed }.map { .triggerUevent(device: $0.name, .add) }
    }

    /// A `change` uevent of a multipath map, after udev's rules ran on it (0.9.4's `ev_add_map`): a map
    /// made here no longer waits, and the reload it held back is done now.
    public mutating func mapUevent(_ wwid: WWID, now: Instant) -> [MultipathAction] {
        guard udevWait[wwid] != nil else { return [] }
        return udevSawMap(wwid, now: now) + [.setMapTimer(wwid: wwid, at: nextDeadline(wwid))]
    }

    mutating func udevSawMap(_ wwid: WWID, now: Instant) -> [MultipathAction] {
        guard let wait = udevWait.removeValue(forKey: wwid), wait.held else { return [] }
        dirty.insert(wwid)
        return build(wwid, now: now)
    }

    /// 0.9.4's `INIT_MISSING_UDEV`: a path whose udev properties lack its `uid_attribute` waits
    /// `retrigger_delay`, then gets a change uevent, up to `retrigger_tries` times; after them the WWID
    /// from sysfs (VPD page 0x83) is taken, if there is one. nil: the path goes on being added.
    mutating func retrigger(_ identity: PathIdentity, udevProperties: [String], now: Instant) -> [MultipathAction]? {
        let uid = config.pathSettings(for: identity).uidAttribute.value
        guard !uid.isEmpty, !udevProperties.contains(uid) else {
            retriggers[identity.devT] = nil
            return nil
        }
        let done = retriggers[identity.devT] ?? 0
        guard done < config.retriggerTries else {
            if identity.mapWWID == nil {
                return orphan(identity, .noWWID) + [.note("\(identity.name): not initialized after \(done) udev retriggers")]
            }
            return nil
        }
        let at = now + config.retriggerDelay
        return orphan(identity, .udevIncomplete(retriggers: done)) + [.scheduleCheck(identity.devT, earliest: at, latest: at)]
    }

    /// The retrigger delay of a path udev set up partly is over: ask udev again.
    mutating func retriggerDue(_ devT: DevT) -> [MultipathAction] {
        guard let o = orphans[devT], case .udevIncomplete(let n) = o.reason else { return [] }
        retriggers[devT] = n + 1
        orphans[devT]?.reason = .udevIncomplete(retriggers: n + 1)
        return [.note("\(o.identity.name): triggering change event to reinitialize"), .triggerUevent(device: o.identity.name, .change)]
    }
}
