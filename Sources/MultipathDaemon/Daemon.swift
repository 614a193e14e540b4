import Glibc
import Logging
import MultipathCore
import MultipathReactor
import MultipathSystem

/// The daemon's wiring: uevents, device-mapper events, checker and prioritizer completions and timers
/// go into the core (`Multipaths`); the actions it returns go out to device-mapper, the path edges,
/// the timer queue and the files. The control socket answers from the same model; systemd hears of
/// every state change. Everything runs on the reactor's thread.
public final class Daemon {
    /// The control socket: where to listen and `uxsock_timeout`.
    public struct ControlSettings {
        public var listeners: [ControlListener]
        public var timeout: Duration
        public init(listeners: [ControlListener], timeout: Duration = .milliseconds(4000)) {
            self.listeners = listeners
            self.timeout = timeout
        }
    }

    /// What the daemon is built from.
    public struct Edges {
        public var udev: any UeventSource
        public var dmEvents: any DMEventSource
        public var dm: any MultipathDeviceMapper
        public var io: any PathIO
        public var host: DaemonHost

        public init(udev: any UeventSource, dmEvents: any DMEventSource, dm: any MultipathDeviceMapper, io: any PathIO, host: DaemonHost) {
            self.udev = udev
            self.dmEvents = dmEvents
            self.dm = dm
            self.io = io
            self.host = host
        }
    }

    let reactor: Reactor
    let logger: Logger
    let edges: Edges
    private let notify: (String) -> Void
    private let reopenLog: () -> Void
    private let readOnlyBindings: Bool
    private let prober: PathProber
    public internal(set) var engine: Multipaths
    private(set) var dmDevices = DMEventTracker()
    private var tokens: [SourceToken] = []
    private let controlSettings: ControlSettings?
    private var controlServer: ControlServer?
    private var control: DaemonControl?
    private let watchdogInterval: Duration?
    private let reloadConfiguration: () -> Result<Config, DaemonControl.ReconfigureFailure>
    public private(set) var state = DaemonState.configure

    private var contexts: [DevT: PathContext] = [:]
    private var checkTimers: [DevT: TimerToken] = [:]
    private var mapTimers: [WWID: TimerToken] = [:]
    private var pendingUevents: [Uevent] = []
    /// Messages the kernel refused with EBUSY (map suspended), sent again shortly.
    private var busyMessages: [(map: String, message: MultipathMessage)] = []
    private var busyTimer: TimerToken?
    private var queue: [MultipathAction] = []
    private var performing = false
    /// The bindings changed: written once the actions at hand are done.
    private var bindingsChanged = false
    /// What went wrong carrying out actions since the last control command began (it answers `fail`).
    var actionFailures: [String] = []

    /// Bounds one turn's uevent work; the rest waits for the next turn (the reactor is level-triggered).
    static let maxUeventsPerTurn = 64
    /// A burst is acted on once the monitor is drained, or at this many events.
    static let maxUeventBatch = 4096
    static let busyRetry = Duration.milliseconds(100)

    /// `notify` gets sd_notify assignments ("READY=1"); `reopenLog` runs on SIGUSR1; `watchdog` is
    /// systemd's WATCHDOG_USEC (WATCHDOG=1 is sent every half of it); `reloadConfiguration` is what
    /// `reconfigure` and SIGHUP run.
    public init(reactor: Reactor, logger: Logger, config: Config, edges: Edges, wwids: WWIDsFile = WWIDsFile(),
                bindings: Bindings = Bindings(), readOnlyBindings: Bool = false,
                notify: @escaping (String) -> Void = { _ in }, reopenLog: @escaping () -> Void = {},
                control: ControlSettings? = nil, watchdog: Duration? = nil,
                reloadConfiguration: @escaping () -> Result<Config, DaemonControl.ReconfigureFailure> = {
                    .failure(.init("no configuration files to reload"))
                }) {
        self.reactor = reactor
        self.logger = logger
        self.edges = edges
        self.notify = notify
        self.reopenLog = reopenLog
        self.readOnlyBindings = readOnlyBindings
        controlSettings = control
        watchdogInterval = watchdog
        self.reloadConfiguration = reloadConfiguration
        engine = Multipaths(config: config, wwids: wwids, bindings: bindings)
        prober = PathProber(io: edges.io, host: edges.host, now: { [reactor] in reactor.now })
        prober.warn = { [logger] in logger.warning("\($0)") }
        prober.debug = { [logger] in logger.debug("\($0)") }
    }

    /// Adopts the multipath maps that exist, registers the event sources and signals, takes the block
    /// disks present now as one burst of adds, and tells systemd the daemon is ready.
    public func start() throws(SystemError) {
        notify("STATUS=startup")
        reactor.logSink = { [logger] in logger.error("\($0)") }
        notify("STATUS=configure")
        // Arm before listing, so that an event between the two still wakes the loop.
        try edges.dmEvents.armPoll()
        _ = dmDevices.update(try edges.dmEvents.listDevices())
        adoptMaps()

        tokens.append(try reactor.register(edges.udev.fileDescriptor, name: "udev monitor") { [unowned self] _ in receiveUevents() })
        tokens.append(try reactor.register(edges.dmEvents.fileDescriptor, name: "dm events") { [unowned self] _ in try dmEvent() })
        for signo in [SIGTERM, SIGINT] {
            try reactor.onSignal(signo) { [unowned self] in shutDown(signal: $0) }
        }
        try reactor.onSignal(SIGHUP) { [unowned self] _ in
            logger.notice("SIGHUP: reconfigure")
            if case .failure(let why) = reconfigure() { logger.error("reconfigure: \(why); the running configuration stays") }
        }
        try reactor.onSignal(SIGUSR1) { [logger, reopenLog] _ in
            reopenLog()
            logger.notice("SIGUSR1: log reopened")
        }
        let disks = try edges.host.enumerate()
        logger.info("\(disks.count) block devices at start")
        process(disks)
        if let controlSettings {
            let control = DaemonControl(logger: logger, hooks: .init(
                paths: { [unowned self] in engine.pathSnapshots(deviceState: deviceState, now: reactor.now) },
                maps: { [unowned self] in
                    engine.mapSnapshots(dmMinors: dmDevices.known.mapValues(\.devT.minor), deviceState: deviceState, now: reactor.now)
                },
                state: { [unowned self] in state },
                shutdown: { [unowned self] in shutDown(reason: "shutdown command") },
                reconfigure: { [unowned self] in reconfigure() },
                configText: { [unowned self] local in local ? engine.localConfigText() : renderConfig(engine.config, onlyDifferences: false) },
                blacklist: { [unowned self] in engine.config.blacklist },
                blockDevices: edges.host.blockDevices,
                resetStats: { [unowned self] wwid in engine.resetStats(wwid: wwid.map { WWID($0) }, now: reactor.now) },
                act: { [unowned self] in act($0) }))
            let server = ControlServer(reactor: reactor, logger: logger, listeners: controlSettings.listeners,
                                       handler: control, timeout: controlSettings.timeout)
            try server.start()
            (self.control, controlServer) = (control, server)
        }
        if let watchdogInterval { scheduleWatchdog(every: watchdogInterval / 2) }
        state = .idle
        notify("READY=1\nSTATUS=up")
        logger.notice("multipathd ready")
    }

    /// RELOADING=1, the reload, then READY=1 whatever its outcome: systemd waits for READY=1 either way.
    /// Every known path's checker and prioritizer are chosen again under the new configuration; the core
    /// applies it to paths and maps (reloading, renaming only what differs).
    func reconfigure() -> Result<Void, DaemonControl.ReconfigureFailure> {
        state = .configure
        notify("RELOADING=1\nSTATUS=configure")
        defer {
            state = .idle
            notify("READY=1\nSTATUS=up")
        }
        switch reloadConfiguration() {
        case .success(let config):
            var choices: [DevT: PathChoice] = [:]
            for identity in engine.paths.values.map(\.identity) + engine.orphans.values.map(\.identity) {
                choices[identity.devT] = choice(for: identity, config.pathSettings(for: identity), config)
            }
            perform(engine.reconfigure(config, choices: choices, now: reactor.now))
            return .success(())
        case .failure(let why):
            return .failure(why)
        }
    }

    private func scheduleWatchdog(every period: Duration) {
        let due = reactor.now + period
        reactor.schedule(earliest: due, latest: due + period / 4, name: "watchdog") { [unowned self] in
            guard state != .shutdown else { return }
            notify("WATCHDOG=1")
            scheduleWatchdog(every: period)
        }
    }

    /// Runs the loop until SIGTERM or SIGINT.
    public func run() throws(SystemError) {
        try reactor.run()
        controlServer?.stop()
        controlServer = nil
        for token in tokens { reactor.deregister(token) }
        tokens = []
    }

    private func shutDown(signal signo: Int32) {
        shutDown(reason: signo == SIGINT ? "SIGINT" : "SIGTERM")
    }

    private func shutDown(reason: String) {
        logger.notice("\(reason): shutting down")
        state = .shutdown
        notify("STOPPING=1\nSTATUS=shutdown")
        perform(engine.shutdown())
        reactor.stop()
    }

    private func adoptMaps() {
        let maps: [DMMapInfo]
        do { maps = try edges.dm.multipathMaps() } catch {
            logger.error("cannot list multipath maps: \(error)")
            return
        }
        for info in maps {
            guard let wwid = info.wwid else { continue }
            do {
                let (size, table) = try edges.dm.table(info.name)
                let status = try edges.dm.status(info.name)
                perform(engine.adopt(name: info.name, wwid: WWID(wwid), sizeSectors: size, table: table, status: status,
                                     readOnly: info.isReadOnly, now: reactor.now))
            } catch {
                logger.error("cannot adopt \(info.name): \(error)")
            }
        }
    }

    // MARK: Uevents

    /// Collects the burst; acts once the monitor is drained (or the burst is large), so that a later
    /// remove cancels earlier events and many adds for one WWID make one map.
    private func receiveUevents() {
        for _ in 0..<Self.maxUeventsPerTurn {
            do {
                guard let event = try edges.udev.receive() else { return flushUevents() }
                logger.debug("uevent \(event.action) \(event.sysname) \(event.devnum.map { "\($0)" } ?? "-") wwid \(event.wwid ?? "-")")
                pendingUevents.append(event)
                if pendingUevents.count >= Self.maxUeventBatch { flushUevents() }
            } catch {
                logger.warning("uevent lost: \(error)")
                return flushUevents()
            }
        }
    }

    private func flushUevents() {
        let burst = pendingUevents
        pendingUevents = []
        if !burst.isEmpty { process(burst) }
    }

    private func process(_ burst: [Uevent]) {
        let merged = UeventMerge.merge(burst)
        if merged.count != burst.count { logger.debug("\(burst.count) uevents merged into \(merged.count)") }
        for event in merged {
            switch event.action {
            case .add, .change: pathAppeared(event)
            case .remove:
                guard let devT = event.devnum ?? engine.paths.values.first(where: { $0.name == event.sysname })?.devT else { continue }
                perform(engine.removePath(devT, now: reactor.now))
            default: continue
            }
        }
        perform(engine.commit(now: reactor.now))
    }

    func pathAppeared(_ event: Uevent) {
        let sysfs = edges.host.sysfs
        func identity(_ uid: String) -> Result<PathIdentity, PathRejection> {
            PathIdentity.fromUevent(event, uidAttribute: uid, sysfs: sysfs) { DeviceIdentification($0)?.multipathWWID }
        }
        guard case .success(var path) = identity("ID_SERIAL") else { return }
        // uid_attribute depends on the hardware entry, which the first read tells.
        var settings = engine.config.pathSettings(for: path)
        if settings.uidAttribute.value != "ID_SERIAL", case .success(let again) = identity(settings.uidAttribute.value) {
            path = again
            settings = engine.config.pathSettings(for: path)
        }

        let dir = "block/\(path.name)"
        let choice = choice(for: path, settings, engine.config)
        logger.debug("\(path.name): uid_attribute = \(settings.uidAttribute)")
        logger.debug("\(path.name): path_checker = \(choice.checker)")
        logger.debug("\(path.name): prio = \(choice.prio)")
        let blockSize = sysfs("\(dir)/queue/logical_block_size").map(sysfsText).flatMap { Int($0) } ?? 512
        let tpg = sysfs("\(dir)/device/vpd_pg83").flatMap { DeviceIdentification($0)?.targetPortGroup }
        contexts[path.devT] = PathContext(blockSize: blockSize, targetPortGroup: tpg)
        let names = event.properties.map(\.name)
        if event.action == .change {
            perform(engine.changePath(path, choice: choice, now: reactor.now))
        } else {
            perform(engine.addPath(path, udevProperties: names, choice: choice, now: reactor.now))
        }
    }

    /// The SCSI device state in sysfs, for `show`'s `dev_st`.
    private func deviceState(_ path: PathIdentity) -> String? {
        edges.host.sysfs("block/\(path.name)/device/state").map(sysfsText)
    }

    /// The checker and prioritizer for a path (`detect_checker`, `detect_prio` look at sysfs).
    private func choice(for path: PathIdentity, _ settings: ResolvedPathSettings, _ config: Config) -> PathChoice {
        let sysfs = edges.host.sysfs
        let dir = "block/\(path.name)"
        let timeout = config.checkerTimeout.map { Duration.seconds($0) }
            ?? sysfs("\(dir)/device/timeout").map(sysfsText).flatMap { Int($0) }.map { .seconds($0) } ?? .seconds(30)
        return PathChoice.select(path, settings, hasAccessState: sysfs("\(dir)/device/access_state") != nil, checkerTimeout: timeout)
    }

    // MARK: Device-mapper events

    /// Re-reads the status of each map whose event number moved: paths the kernel failed are probed at
    /// once, tables loaded behind our back are taken, vanished maps forgotten.
    private func dmEvent() throws(SystemError) {
        try edges.dmEvents.armPoll()
        for change in dmDevices.update(try edges.dmEvents.listDevices()) {
            logger.debug("dm event: \(change)")
            switch change {
            case .appeared(let d), .event(let d, _):
                guard engine.map(named: d.name) != nil else { continue }
                do {
                    let status = try edges.dm.status(d.name)
                    let table = try edges.dm.table(d.name).table
                    perform(engine.mapStatus(name: d.name, status: status, table: table, now: reactor.now))
                } catch {
                    logger.warning("\(d.name): cannot read status: \(error)")
                }
            case .removed(let d):
                perform(engine.mapVanished(name: d.name))
            }
        }
    }

    // MARK: Actions

    /// Carries out the core's actions in order. Actions that produce more (a checker that ends at
    /// once) queue them behind the current ones.
    func perform(_ actions: [MultipathAction]) {
        queue += actions
        guard !performing else { return }
        performing = true
        defer { performing = false }
        while !queue.isEmpty {
            let batch = queue
            queue = []
            for action in batch { execute(action) }
        }
        if bindingsChanged { saveBindings() }
    }

    private func execute(_ action: MultipathAction) {
        let now = reactor.now
        switch action {
        case .check(let devT):
            guard let path = engine.paths[devT] else { return }
            if let why = edges.io.attach(path.identity) {
                return perform(engine.checkerFinished(devT, CheckerVerdict(.wild, why), now: now))
            }
            prober.check(path, contexts[devT] ?? PathContext(blockSize: 512)) { [unowned self] verdict in
                logger.debug("\(path.name): checker \(path.settings.checker.value): \(verdict)")
                perform(engine.checkerFinished(devT, verdict, issued: now, now: reactor.now))
            }
        case .scheduleCheck(let devT, let earliest, let latest):
            if let t = checkTimers[devT] { return reactor.reschedule(t, earliest: earliest, latest: latest) }
            checkTimers[devT] = reactor.schedule(earliest: earliest, latest: latest, name: "check \(devT)") { [unowned self] in
                checkTimers[devT] = nil
                perform(engine.checkDue(devT, now: reactor.now))
            }
        case .prioritize(let devT):
            guard let path = engine.paths[devT] else { return }
            prober.prioritize(path, contexts[devT] ?? PathContext(blockSize: 512)) { [unowned self] priority in
                logger.debug("\(path.name): prio \(path.settings.prio.value): \(priority.map(String.init) ?? "undefined")")
                perform(engine.priorityFinished(devT, priority, now: reactor.now))
            }
        case .reinstate(let map, let devT): send(.reinstatePath(devT), to: map)
        case .fail(let map, let devT): send(.failPath(devT), to: map)
        case .switchGroup(let map, let group): send(.switchGroup(group), to: map)
        case .setQueueing(let map, let on): send(on ? .queueIfNoPath : .failIfNoPath, to: map)
        case .create(let load):
            logger.notice("\(load.name): create \(load.table)")
            if logger.logLevel <= .debug, let map = engine.maps[load.wwid] {
                for line in map.settings.originLines(ResolvedMapSettings.loggedKeywords) { logger.debug("\(load.name): \(line)") }
            }
            do { try edges.dm.create(name: load.name, wwid: load.wwid.rawValue, sizeSectors: load.sizeSectors, table: load.table, readOnly: load.readOnly) } catch {
                failed("\(load.name): create failed: \(error)")
            }
        case .reload(let load):
            logger.notice("\(load.name): reload \(load.table)")
            reload(load)
        case .remove(let map, let fallback):
            do {
                try edges.dm.remove(map)
                logger.notice("\(map): removed (its last path is gone)")
                perform(engine.mapRemoved(name: map, now: now))
            } catch where error.isBusy {
                logger.notice("\(map): in use, kept with no paths")
                reload(fallback)
            } catch .noSuchMap {
                logger.notice("\(map): already removed")
                perform(engine.mapRemoved(name: map, now: now))
            } catch {
                logger.error("\(map): remove failed: \(error)")
            }
        case .rename(let map, let newName):
            do {
                try edges.dm.rename(map, to: newName)
                logger.notice("\(map): renamed to \(newName)")
            } catch {
                logger.error("\(map): rename to \(newName) failed: \(error)")
                engine.renameFailed(map: newName, keeping: map)
            }
        case .flush(let map, let wwid):
            do {
                try edges.dm.remove(map)
                perform(engine.mapFlushed(wwid))
            } catch where error.isBusy {
                failed("\(map): in use, not removed")
            } catch {
                failed("\(map): remove failed: \(error)")
            }
        case .suspend(let map):
            do {
                try edges.dm.suspend(map)
                logger.notice("\(map): suspended (operator)")
            } catch { failed("\(map): suspend failed: \(error)") }
        case .resume(let map):
            do {
                try edges.dm.resume(map)
                logger.notice("\(map): resumed (operator)")
            } catch { failed("\(map): resume failed: \(error)") }
        case .setMapTimer(let wwid, let at):
            if let t = mapTimers.removeValue(forKey: wwid) { reactor.cancel(t) }
            guard let at else { return }
            mapTimers[wwid] = reactor.schedule(earliest: at, name: "map \(wwid)") { [unowned self] in
                mapTimers[wwid] = nil
                perform(engine.mapTimerFired(wwid, now: reactor.now))
            }
        case .forget(let devT):
            edges.io.detach(devT)
            contexts[devT] = nil
            if let t = checkTimers.removeValue(forKey: devT) { reactor.cancel(t) }
        case .rememberWWID(let wwid):
            do { try edges.host.appendFile(engine.config.wwidsFile, "/\(wwid)/\n") } catch {
                logger.warning("cannot record \(wwid) in \(engine.config.wwidsFile): \(error)")
            }
        case .saveBindings:
            bindingsChanged = !readOnlyBindings
        case .savePRKeys(let text):
            do { try edges.host.writeFile(engine.config.prkeysFile, text) } catch {
                failed("cannot write \(engine.config.prkeysFile): \(error)")
            }
        case .note(let text):
            logger.info("\(text)")
        }
    }

    private func saveBindings() {
        bindingsChanged = false
        do { try edges.host.writeFile(engine.config.bindingsFile, engine.bindings.render()) } catch {
            logger.warning("cannot write \(engine.config.bindingsFile): \(error)")
        }
    }

    private func failed(_ why: String) {
        logger.error("\(why)")
        actionFailures.append(why)
    }

    private func reload(_ load: MapLoad) {
        do {
            try edges.dm.reload(name: load.name, sizeSectors: load.sizeSectors, table: load.table, readOnly: load.readOnly)
            try edges.dm.resume(load.name)
        } catch {
            failed("\(load.name): reload failed: \(error)")
        }
    }

    /// A message to a suspended map (EBUSY) is kept and sent again shortly, in order.
    private func send(_ message: MultipathMessage, to map: String) {
        if busyMessages.contains(where: { $0.map == map }) { return busyMessages.append((map, message)) }
        do {
            try edges.dm.send(message, to: map)
            logger.info("\(map): \(message)")
        } catch where error.isBusy {
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
            actionFailures.append("\(map): \(message) failed: \(error)")
        }
    }
}
