/// Persistent reservations: what mpathpersist asks over the control socket (the map's prflag and key),
/// and the map's key registered on paths that join the map or come back, as 0.9.4's
/// mpath_pr_event_handle, so that I/O on them does not meet RESERVATION CONFLICT. The SCSI commands are
/// the daemon's (`PersistentReservation`); the verdict that waits for them is held here.
extension Multipaths {
    // MARK: mpathpersist's commands

    /// `getprstatus`: 0.9.4 prints its prflag as a number.
    public func prStatus(_ wwid: WWID) -> String { maps[wwid]?.prRegistered == true ? "1" : "0" }

    public mutating func setPRStatus(_ wwid: WWID, _ on: Bool) -> [MultipathAction] {
        guard let map = maps[wwid], map.prRegistered != on else { return [] }
        index.modify(wwid) { $0.prRegistered = on }
        return [.note("\(map.name): prflag \(on ? "set" : "unset")")]
    }

    /// The map's reservation key: its `reservation_key` setting, read from the prkeys file when that is `file`.
    public func reservationKey(_ wwid: WWID, prkeys: PRKeysFile) -> PRKey? {
        guard let text = maps[wwid]?.settings.value(.reservation_key).flatMap({ string($0.value) }) else { return nil }
        return text == "file" ? prkeys.key(for: wwid.rawValue) : PRKey(parsing: text)
    }

    /// `setprkey` (a key) or `unsetprkey` (nil): the prkeys file is written either way, as 0.9.4 does; it
    /// reports success only when the map's key now is the one asked for, that is with `reservation_key file`.
    public func setPRKey(_ wwid: WWID, _ key: PRKey?, prkeys: PRKeysFile) -> (actions: [MultipathAction], applied: Bool) {
        var file = prkeys
        file.set(key, for: wwid.rawValue)
        let now = reservationKey(wwid, prkeys: file)
        return ([.savePRKeys(file.text)], (now?.value ?? 0) == (key?.value ?? 0))
    }

    // MARK: Registering the key on paths

    /// The map whose key must be registered on the path before its usable verdict goes on: a path that
    /// joins the map (0.9.4's ev_add_path asks whether or not the prflag is set), or one coming back while
    /// the prflag is set (check_path). Only SCSI paths, and only maps with a `reservation_key`.
    func waitsForReservation(_ p: MultipathPath, _ verdict: CheckerVerdict) -> WWID? {
        guard verdict.state.isUsable, Self.isSCSI(p), let wwid = p.identity.mapWWID, let map = maps[wwid],
            map.settings.value(.reservation_key) != nil
        else { return nil }
        if p.health.membership == .absent && p.health.state == .unchecked { return wwid }
        return map.prRegistered && (p.health.membership == .failed || !p.health.state.isUsable) ? wwid : nil
    }

    /// The registration a held verdict waited for is over: logged as 0.9.4 logs it, the prflag set when
    /// our key was found on the LUN, and the verdict goes on (the path is reinstated or joins the map
    /// even when the REGISTER failed, as in 0.9.4).
    public mutating func reservationRegistered(
        _ wwid: WWID, _ devT: DevT, _ result: ReservationRegistration, _ verdict: CheckerVerdict, issued: Instant?, now: Instant
    ) -> [MultipathAction] {
        guard let p = paths[devT] else { return [] }
        var actions: [MultipathAction] = []
        switch result {
        case .noKey: break
        case .readKeysFailed(let why): actions.append(.note("\(p.name) : pr in read keys service action failed: \(why)"))
        case .noKeysRegistered: actions.append(.note("\(p.name): No key found. Device may not be registered."))
        case .keyNotFound:
            actions.append(.note("\(p.name): Either device not registered or host is not authorised for registration. Skip path"))
        case .registered: actions.append(.note("\(p.name): reservation key registered"))
        case .registerFailed(let why): actions.append(.note("\(p.name): Reservation registration failed: \(why)"))
        }
        if result.keyFound { actions += setPRStatus(wwid, true) }
        return actions + checkerFinished(devT, verdict, issued: issued, now: now, wwidChecked: true, reservationChecked: true)
    }

    /// At a map's setup (its first build in this daemon, and after a reconfigure), 0.9.4's update_map_pr:
    /// READ KEYS through its usable paths, in table order, sets the prflag when our key is registered.
    func readsReservationKeys(_ map: inout MultipathMap) -> [MultipathAction] {
        guard !map.reservationKeysRead else { return [] }
        map.reservationKeysRead = true
        guard map.settings.value(.reservation_key) != nil else { return [] }
        let usable = map.members.filter { paths[$0].map { $0.health.state.isUsable && Self.isSCSI($0) } ?? false }
        return usable.isEmpty ? [] : [.readReservationKeys(map.wwid, usable)]
    }

    /// READ KEYS at map setup answered: true when our key is among the registered ones.
    public mutating func reservationKeysRead(_ wwid: WWID, keyFound: Bool) -> [MultipathAction] {
        keyFound ? setPRStatus(wwid, true) : []
    }

    /// 0.9.4 sends persistent reservation commands to SCSI paths only.
    static func isSCSI(_ p: MultipathPath) -> Bool {
        if case .scsi = p.identity.transport { return true }
        return false
    }
}
