import Logging
import MultipathCore
import MultipathReactor
import MultipathSystem

/// What the rooms share on the loop's thread: the core's model and the kernel's list of DM devices.
final class DaemonModel {
    var engine: Multipaths
    var dmDevices = DMEventTracker()

    init(engine: Multipaths) { self.engine = engine }
}

/// Carries the core's actions out, in order: checks and priorities on the path edge, DM messages (kept
/// and sent again while a map is suspended), table loads, the check and map timers, and the files.
/// What the kernel refused is logged, and returned to whoever asked for the actions (a control command
/// answers `fail`).
final class ActionRunner {
    /// One outer `perform`: what failed on the way, and the operator's removes still being tried again;
    /// `done` reports once none is left.
    private final class Request {
        var failures: [String] = []
        var outstanding = 1
        var done: (([String]) -> Void)?

        func finishOne() {
            outstanding -= 1
            if outstanding == 0 { done?(failures) }
        }
    }

    private let reactor: Reactor
    private let logger: Logger
    private let model: DaemonModel
    private let dm: any MultipathDeviceMapper
    private let io: any PathIO
    private let host: DaemonHost
    private let setup: PathSetup
    private let prober: PathProber
    private let reservations: Reservations
    private let remover: MapRemover
    private lazy var transports = TransportWatch(reactor: reactor, model: model, sysfs: host.sysfs) { [unowned self] in perform($0) }
    private let readOnlyBindings: Bool

    private var checkTimers: [DevT: TimerToken] = [:]
    private var mapTimers: [WWID: TimerToken] = [:]
    /// Messages the kernel refused with EBUSY (map suspended), sent again shortly.
    private var busyMessages: [(map: String, message: MultipathMessage)] = []
    private var busyTimer: TimerToken?
    private var queue: [MultipathAction] = []
    /// The outermost `perform` under way.
    private var current: Request?
    /// Runs after each outermost `perform` (start-up watches for its maps to be built).
    var afterPerform: (() -> Void)?
    /// The bindings changed: written once the actions at hand are done.
    private var bindingsChanged = false

    static let busyRetry = Duration.milliseconds(100)

    init(
        reactor: Reactor, logger: Logger, model: DaemonModel, dm: any MultipathDeviceMapper, io: any PathIO,
        host: DaemonHost, setup: PathSetup, readOnlyBindings: Bool
    ) {
        self.reactor = reactor
        self.logger = logger
        self.model = model
        self.dm = dm
        self.io = io
        self.host = host
        self.setup = setup
        self.readOnlyBindings = readOnlyBindings
        remover = MapRemover(reactor: reactor, logger: logger, dm: dm)
        prober = PathProber(io: io, host: host, now: { [reactor] in reactor.now })
        reservations = Reservations(io: io, host: host, model: model)
        prober.warn = { [logger] in logger.warning("\($0)") }
        prober.debug = { [logger] in logger.debug("\($0)") }
    }

    /// Carries out the actions, and those they lead to (a checker that ends at once queues its verdict's
    /// actions behind the current ones). Returns what failed on the way; a call made while actions are
    /// already being carried out queues them and leaves the report to the outer call.
    @discardableResult
    func perform(_ actions: [MultipathAction]) -> [String] {
        let request = Request()
        run(actions, request)
        return request.failures
    }

    /// As `perform`, for a control command that may wait: `done` gets what failed once the operator's
    /// removes among the actions have gone through or given up (at once when there are none).
    func perform(_ actions: [MultipathAction], then done: @escaping ([String]) -> Void) {
        let request = Request()
        request.done = done
        run(actions, request)
        request.finishOne()
    }

    private func run(_ actions: [MultipathAction], _ request: Request) {
        queue += actions
        guard current == nil else { return }
        current = request
        defer { current = nil }
        while !queue.isEmpty {
            let batch = queue
            queue = []
            for action in batch { execute(action) }
        }
        if bindingsChanged { saveBindings() }
        afterPerform?()
    }

    private func execute(_ action: MultipathAction) {
        let now = reactor.now
        switch action {
        case .check(let devT):
            guard let path = model.engine.paths[devT] else { return }
            if let verdict = prober.stateVerdict(path) {
                logger.debug("\(path.name): \(verdict)")
                perform(model.engine.checkerFinished(devT, verdict, issued: now, now: now))
                return
            }
            if let why = io.attach(path.identity) {
                perform(model.engine.checkerFinished(devT, CheckerVerdict(.wild, why), now: now))
                return
            }
            var returned = false
            prober.check(path, setup.context(devT)) { [unowned self] verdict in
                let finish = { [unowned self] in
                    logger.debug("\(path.name): checker \(path.settings.checker.value): \(verdict)")
                    perform(model.engine.checkerFinished(devT, verdict, issued: now, now: reactor.now))
                }
                // A checker that answers at once (`none` reads sysfs) is heard after the events being
                // handled, as an asynchronous one is: the paths of a burst all join before their map is built.
                if returned { return finish() }
                _ = reactor.schedule(earliest: reactor.now, name: "check \(devT) answered") { finish() }
            }
            returned = true
        case .recheckWWID(let devT, let verdict, let issued):
            guard let path = model.engine.paths[devT] else { return }
            io.submit(.inquiry(vpdPage: 0x83), to: devT, timeout: path.settings.checkerTimeout) { [unowned self] outcome in
                var wwid: String?
                if case .completed(let r) = outcome, r.isGood { wwid = DeviceIdentification(r.data)?.multipathWWID }
                perform(model.engine.wwidRechecked(devT, deviceWWID: wwid, verdict, issued: issued, now: reactor.now))
            }
        case .registerReservation(let wwid, let devT, let verdict, let issued):
            reservations.register(wwid, on: devT) { [unowned self] result in
                perform(model.engine.reservationRegistered(wwid, devT, result, verdict, issued: issued, now: reactor.now))
            }
        case .readReservationKeys(let wwid, let devTs):
            reservations.readKeys(wwid, through: devTs) { [unowned self] found in
                perform(model.engine.reservationKeysRead(wwid, keyFound: found))
            }
        case .triggerAdd(let disk):
            do { try host.triggerUevent(disk, .add) } catch { logger.warning("\(disk): failed to trigger add event: \(error)") }
        case .scheduleCheck(let devT, let earliest, let latest):
            transports.checkScheduled(devT)
            if let t = checkTimers[devT] { return reactor.reschedule(t, earliest: earliest, latest: latest) }
            checkTimers[devT] = reactor.schedule(earliest: earliest, latest: latest, name: "check \(devT)") { [unowned self] in
                checkTimers[devT] = nil
                perform(model.engine.checkDue(devT, now: reactor.now))
            }
        case .prioritize(let devT):
            guard let path = model.engine.paths[devT] else { return }
            prober.prioritize(path, setup.context(devT)) { [unowned self] priority in
                logger.debug("\(path.name): prio \(path.settings.prio.value): \(priority.map(String.init) ?? "undefined")")
                perform(model.engine.priorityFinished(devT, priority, now: reactor.now))
            }
        case .reinstate(let map, let devT): send(.reinstatePath(devT), to: map)
        case .fail(let map, let devT): send(.failPath(devT), to: map)
        case .switchGroup(let map, let group): send(.switchGroup(group), to: map)
        case .setQueueing(let map, let on): send(on ? .queueIfNoPath : .failIfNoPath, to: map)
        case .create(let load):
            logger.notice("\(load.name): create \(load.table)")
            if logger.logLevel <= .debug, let map = model.engine.maps[load.wwid] {
                for line in map.settings.loggedOrigins { logger.debug("\(load.name): \(line)") }
            }
            tune(model.engine.pathTuning(load, reload: false))
            remover.forgetDeferredRemoval(load.name)
            do {
                try dm.create(
                    name: load.name, wwid: load.wwid.rawValue, sizeSectors: load.sizeSectors, table: load.table, readOnly: load.readOnly,
                    udevFlags: load.udevFlags)
                perform(model.engine.mapCreateFinished(load.wwid, succeeded: true))
            } catch {
                failed("\(load.name): create failed: \(error)")
                perform(model.engine.mapCreateFinished(load.wwid, succeeded: false))
            }
        case .reload(let load):
            logger.notice("\(load.name): reload \(load.table)")
            tune(model.engine.pathTuning(load, reload: true, mapDevice: model.dmDevices.known[load.name]?.devT))
            if !load.table.groups.isEmpty { remover.cancelDeferredRemoval(load.name) }
            reload(load)
        case .remove(let map, let fallback, let deferred):
            switch remover.remove(map, deferred: deferred) {
            case .removed:
                logger.notice("\(map): removed (its last path is gone)")
                perform(model.engine.mapRemoved(name: map, now: now))
            case .gone:
                logger.notice("\(map): already removed")
                perform(model.engine.mapRemoved(name: map, now: now))
            case .deferred:
                // As 0.9.4: loaded with no paths until the kernel removes it at its last close.
                logger.notice("\(map): in use, removal deferred to its last close")
                reload(fallback)
            case .busy(let why):
                logger.notice("\(why), kept with no paths")
                reload(fallback)
            case .failed(let why):
                logger.error("\(why)")
            }
        case .rename(let map, let newName, let flags):
            do {
                try dm.rename(map, to: newName, udevFlags: flags)
                logger.notice("\(map): renamed to \(newName)")
            } catch {
                logger.error("\(map): rename to \(newName) failed: \(error)")
                model.engine.renameFailed(map: newName, keeping: map)
            }
        case .flush(let map, let wwid):
            guard let request = current else { return }
            request.outstanding += 1
            remover.removeRetrying(map, until: now + removeRetryBound) { [unowned self] outcome in
                switch outcome {
                case .removed, .gone, .deferred: perform(model.engine.mapFlushed(wwid))
                case .busy(let why), .failed(let why):
                    logger.error("\(why), not removed")
                    request.failures.append(why)
                }
                request.finishOne()
            }
        case .suspend(let map):
            do {
                try dm.suspend(map)
                model.engine.mapSuspended(name: map, true)
                logger.notice("\(map): suspended (operator)")
            } catch { failed("\(map): suspend failed: \(error)") }
        case .resume(let map, let flags):
            do {
                try dm.resume(map, udevFlags: flags)
                model.engine.mapSuspended(name: map, false)
                logger.notice("\(map): resumed (operator)")
            } catch { failed("\(map): resume failed: \(error)") }
        case .tuneTransports(let wwid):
            if let tuning = model.engine.transportTuning(wwid) { tune(tuning) }
        case .setMapTimer(let wwid, let at):
            if let t = mapTimers.removeValue(forKey: wwid) { reactor.cancel(t) }
            guard let at else { return }
            mapTimers[wwid] = reactor.schedule(earliest: at, name: "map \(wwid)") { [unowned self] in
                mapTimers[wwid] = nil
                perform(model.engine.mapTimerFired(wwid, now: reactor.now))
            }
        case .forget(let devT):
            io.detach(devT)
            setup.forget(devT)
            if let t = checkTimers.removeValue(forKey: devT) { reactor.cancel(t) }
        case .rememberWWID(let wwid):
            do { try host.appendFile(model.engine.config.wwidsFile, "/\(wwid)/\n", WWIDsFile.header) } catch {
                logger.warning("cannot record \(wwid) in \(model.engine.config.wwidsFile): \(error)")
            }
        case .triggerUevent(let device, let uevent):
            do {
                try host.triggerUevent(device, uevent)
                logger.debug("\(device): triggered \(uevent) uevent")
            } catch { logger.warning("\(device): cannot trigger \(uevent) uevent: \(error)") }
        case .markFailedWWID(let wwid):
            do { try host.markFailedWWID(wwid.rawValue) } catch { logger.warning("cannot mark \(wwid) failed: \(error)") }
        case .unmarkFailedWWID(let wwid):
            do { try host.unmarkFailedWWID(wwid.rawValue) } catch { logger.warning("cannot unmark \(wwid) failed: \(error)") }
        case .saveBindings:
            bindingsChanged = !readOnlyBindings
        case .savePRKeys(let text):
            do { try host.writeFile(model.engine.config.prkeysFile, text) } catch {
                failed("cannot write \(model.engine.config.prkeysFile): \(error)")
            }
        case .note(let text):
            logger.info("\(text)")
        }
    }

    private func saveBindings() {
        bindingsChanged = false
        do { try host.writeFile(model.engine.config.bindingsFile, model.engine.bindings.render()) } catch {
            logger.warning("cannot write \(model.engine.config.bindingsFile): \(error)")
        }
    }

    private func failed(_ why: String) {
        logger.error("\(why)")
        current?.failures.append(why)
    }

    /// How long an operator's remove of a busy map is tried again: well inside `uxsock_timeout`, so
    /// that the client hears `fail` rather than `timeout`.
    private var removeRetryBound: Duration { .milliseconds(model.engine.config.uxsockTimeoutMilliseconds / 2) }

    private func reload(_ load: MapLoad) {
        do {
            try dm.reload(name: load.name, sizeSectors: load.sizeSectors, table: load.table, readOnly: load.readOnly)
            try dm.resume(load.name, udevFlags: load.udevFlags)
            model.engine.mapSuspended(name: load.name, false)
        } catch {
            failed("\(load.name): reload failed: \(error)")
        }
    }

    /// Sets the paths' transport timeouts and `max_sectors_kb` before a table load, as 0.9.4 does; a
    /// refusal is logged and the load goes on.
    private func tune(_ tuning: PathTuning) {
        let report = tuning.carryOut(read: host.sysfs, write: host.writeSysfs)
        for note in report.notes { logger.info("\(note)") }
        for w in report.written { logger.debug("\(tuning.map): \(w)") }
        for why in report.refused { logger.warning("\(tuning.map): cannot set \(why)") }
    }

    /// A message to a suspended map (EBUSY) is kept and sent again shortly, in order.
    private func send(_ message: MultipathMessage, to map: String) {
        if busyMessages.contains(where: { $0.map == map }) { return busyMessages.append((map, message)) }
        do {
            try dm.send(message, to: map)
            logger.info("\(map): \(message)")
        } catch  where error.isBusy {
            logger.info("\(map): \(message): map busy, retrying in \(Self.busyRetry)")
            busyMessages.append((map, message))
            if busyTimer == nil {
                busyTimer = reactor.schedule(earliest: reactor.now + Self.busyRetry, name: "busy messages") { [unowned self] in
                    busyTimer = nil
                    let retry = busyMessages
                    busyMessages = []
                    for (map, message) in retry { send(message, to: map) }
                }
            }
        } catch {
            logger.warning("\(map): \(message) failed: \(error)")
            current?.failures.append("\(map): \(message) failed: \(error)")
        }
    }
}
