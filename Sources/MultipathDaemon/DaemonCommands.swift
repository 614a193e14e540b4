import MultipathCore

/// The control commands that change maps and paths: the operator's names are resolved against the
/// model, the core decides (`Multipaths+Admin.swift`), and the actions are carried out at once; any
/// failure on the way makes the reply `fail`.
extension Daemon {
    typealias Answer = Result<String, DaemonControl.ReconfigureFailure>

    func act(_ command: ControlCommand) -> Answer {
        do { return try answer(command) } catch { return .failure(.init(error.description)) }
    }

    private func answer(_ command: ControlCommand) throws(AdminRefusal) -> Answer {
        let now = reactor.now
        switch command {
        case .failPath(let p): return run(try engine.failPathByOperator(try path(p), now: now))
        case .reinstatePath(let p): return run(try engine.reinstatePathByOperator(try path(p), now: now))
        case .setMarginal(let p): return run(try engine.setMarginal(try path(p), true, now: now))
        case .unsetMarginal(let p): return run(try engine.setMarginal(try path(p), false, now: now))
        case .unsetMarginalMap(let m): return run(engine.unsetMarginal(map: try map(m), now: now))
        case .switchGroup(let m, let group): return run(try engine.switchGroupByOperator(try map(m), group: group))
        case .disableQueueing(let m?): return run(engine.disableQueueing(try map(m)))
        case .disableQueueing(nil): return run(engine.maps.keys.sorted().flatMap { engine.disableQueueing($0) })
        case .restoreQueueing(let m?): return run(engine.restoreQueueing(try map(m), now: now))
        case .restoreQueueing(nil): return run(engine.maps.keys.sorted().flatMap { engine.restoreQueueing($0, now: now) })
        case .forceQueueingDaemon: return run(engine.forceQueueingWithoutDaemon(true))
        case .restoreQueueingDaemon: return run(engine.forceQueueingWithoutDaemon(false))
        case .suspend(let m): return run(engine.suspendByOperator(try map(m)))
        case .resume(let m): return run(engine.resumeByOperator(try map(m)))
        case .reload(let m): return run(engine.reloadByOperator(try map(m), now: now))
        case .reconfigure(all: true): return run(engine.maps.keys.sorted().flatMap { engine.reloadByOperator($0, now: now) })
        case .resize(let m):
            let wwid = try map(m)
            let sysfs = edges.host.sysfs
            let sizes = Dictionary(uniqueKeysWithValues: engine.maps[wwid]!.members.compactMap { d in
                engine.paths[d].map { p in (d, sysfs("block/\(p.name)/size").map(sysfsText).flatMap { UInt64($0) } ?? 0) }
            })
            return run(try engine.resizeByOperator(wwid, sizes: sizes, now: now))
        case .resetMap(let m): return try reassign(try map(m))
        case .addPath(let p): return try addPath(p)
        case .delPath(let p): return run(engine.removePath(try path(p), now: now) + engine.commit(now: now))
        case .addMap(let m): return run(try engine.addMapByOperator(m, now: now))
        case .delMap(let m): return run(engine.flushByOperator(try map(m)))
        case .delMaps: return run(engine.maps.keys.sorted().flatMap { engine.flushByOperator($0) })
        case .getPRStatus(let m): return .success(engine.prStatus(try map(m)))
        case .setPRStatus(let m): return run(engine.setPRStatus(try map(m), true))
        case .unsetPRStatus(let m): return run(engine.setPRStatus(try map(m), false))
        case .getPRKey(let m):
            return .success(engine.reservationKey(try map(m), prkeys: prkeys()).map { "\($0)\n" } ?? "none\n")
        case .setPRKey(let m, let text):
            let wwid = try map(m)
            guard let key = PRKey(parsing: text) else { throw AdminRefusal("\(m): invalid prkey : '\(text)'") }
            // As 0.9.4: a zero key unsets.
            return setPRKey(wwid, key.value == 0 ? nil : key)
        case .unsetPRKey(let m): return setPRKey(try map(m), nil)
        default: throw AdminRefusal("'\(command)' does not change maps or paths")
        }
    }

    private func map(_ text: String) throws(AdminRefusal) -> WWID {
        guard let wwid = engine.mapWWID(text, dmMinors: dmDevices.known.mapValues(\.devT.minor)) else {
            throw AdminRefusal("\(text): invalid map name")
        }
        return wwid
    }

    private func path(_ text: String) throws(AdminRefusal) -> DevT {
        guard let devT = engine.pathDevT(text) else { throw AdminRefusal("\(text): invalid path name") }
        return devT
    }

    /// Carries the actions out; `ok` unless one of them failed.
    private func run(_ actions: [MultipathAction]) -> Answer { carryOut { perform(actions) } }

    /// Runs `body` (which performs actions); `reply` is the answer unless an action failed on the way.
    private func carryOut(reply: String = "", _ body: () -> Void) -> Answer {
        actionFailures = []
        body()
        defer { actionFailures = [] }
        return actionFailures.isEmpty ? .success(reply) : .failure(.init(actionFailures.joined(separator: "; ")))
    }

    /// `add path`: set up from udev as an add uevent would be (blacklist and find_multipaths decide
    /// again for a path that was not multipathed). A blacklisted path answers `blacklisted`, as 0.9.4.
    private func addPath(_ text: String) throws(AdminRefusal) -> Answer {
        let disks: [Uevent]
        do { disks = try edges.host.enumerate() } catch { throw AdminRefusal("\(text): cannot list block devices: \(error)") }
        guard let event = disks.first(where: { $0.sysname == text || ($0.devnum != nil && $0.devnum == DevT(text)) }),
              let devT = event.devnum else { throw AdminRefusal("\(text): can't find path") }
        if let actions = engine.addKnownPathByOperator(devT, now: reactor.now) { return run(actions) }
        let answer = carryOut {
            pathAppeared(event)
            perform(engine.commit(now: reactor.now))
        }
        if engine.orphans[devT]?.reason.isBlacklisted == true { return .success("blacklisted\n") }
        guard engine.paths[devT] != nil || engine.orphans[devT] != nil else { throw AdminRefusal("\(text): failed to get path info") }
        return answer
    }

    /// `reset map`: 0.9.4 moves the holders of the paths' partitions (another DM device built on sda1,
    /// say) onto the map. With no partition held there is nothing to move; moving them is not supported.
    private func reassign(_ wwid: WWID) throws(AdminRefusal) -> Answer {
        let map = engine.maps[wwid]!
        for name in map.members.compactMap({ engine.paths[$0]?.name }) {
            for part in edges.host.listSysfs("block/\(name)") where part.hasPrefix(name) && part != name {
                let holders = edges.host.listSysfs("block/\(name)/\(part)/holders")
                guard holders.isEmpty else {
                    throw AdminRefusal("\(map.name): \(part) is held by \(holders.joined(separator: ", ")); moving partition holders onto the map is not supported")
                }
            }
        }
        logger.info("\(map.name): reset devices (operator): no partition of its paths is held, nothing to move")
        return .success("")
    }

    private func prkeys() -> PRKeysFile { PRKeysFile(edges.host.readFile(engine.config.prkeysFile)) }

    private func setPRKey(_ wwid: WWID, _ key: PRKey?) -> Answer {
        let (actions, applied) = engine.setPRKey(wwid, key, prkeys: prkeys())
        let answer = run(actions)
        guard case .success = answer, !applied else { return answer }
        return .failure(.init("\(engine.maps[wwid]!.name): the prkeys file is written, but the map's reservation_key is not 'file'"))
    }
}
