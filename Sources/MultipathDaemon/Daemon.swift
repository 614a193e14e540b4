import Glibc
import Logging
import MultipathCore
import MultipathReactor
import MultipathSystem

/// The daemon: start, run, reconfigure, signals. Its rooms do the rest on the reactor's thread, around
/// one model (`DaemonModel`): `UeventBatcher` and `PathSetup` take paths from udev, `KernelMaps` the
/// maps and DM events, `ActionRunner` carries the core's actions out, `ControlDispatcher` answers the
/// control socket. systemd hears of every state change.
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
    private let model: DaemonModel
    private let setup: PathSetup
    private let runner: ActionRunner
    private let uevents: UeventBatcher
    private let kernelMaps: KernelMaps
    private var tokens: [SourceToken] = []
    private let controlSettings: ControlSettings?
    private var controlServer: ControlServer?
    private var dispatcher: ControlDispatcher?
    private let watchdogInterval: Duration?
    /// Ends the start-up wait for the first maps (READY=1) if a path's check never comes back.
    private var startupBound: TimerToken?
    private let reloadConfiguration: () -> Result<Config, ReconfigureFailure>
    public private(set) var state = DaemonState.configure

    /// The core's model, as the daemon's rooms left it.
    public var engine: Multipaths { model.engine }

    static var dmEventsRetry: SourceFailurePolicy { .retry(initial: .milliseconds(100), max: .seconds(5)) }

    /// `notify` gets sd_notify assignments ("READY=1"); `reopenLog` runs on SIGUSR1; `watchdog` is
    /// systemd's WATCHDOG_USEC (WATCHDOG=1 is sent every half of it); `reloadConfiguration` is what
    /// `reconfigure` and SIGHUP run.
    public init(
        reactor: Reactor, logger: Logger, config: Config, edges: Edges, wwids: WWIDsFile = WWIDsFile(),
        bindings: Bindings = Bindings(), readOnlyBindings: Bool = false,
        notify: @escaping (String) -> Void = { _ in }, reopenLog: @escaping () -> Void = {},
        control: ControlSettings? = nil, watchdog: Duration? = nil,
        reloadConfiguration: @escaping () -> Result<Config, ReconfigureFailure> = {
            .failure(.init("no configuration files to reload"))
        }
    ) {
        self.reactor = reactor
        self.logger = logger
        self.edges = edges
        self.notify = notify
        self.reopenLog = reopenLog
        controlSettings = control
        watchdogInterval = watchdog
        self.reloadConfiguration = reloadConfiguration
        let now = { [reactor] in reactor.now }
        model = DaemonModel(
            engine: Multipaths(
                config: config, wwids: wwids, bindings: bindings, failedWWIDs: Set(edges.host.failedWWIDs().map { WWID($0) })))
        setup = PathSetup(logger: logger, model: model, sysfs: edges.host.sysfs)
        runner = ActionRunner(
            reactor: reactor, logger: logger, model: model, dm: edges.dm, io: edges.io, host: edges.host,
            setup: setup, readOnlyBindings: readOnlyBindings)
        uevents = UeventBatcher(logger: logger, source: edges.udev, model: model, setup: setup, runner: runner, now: now)
        kernelMaps = KernelMaps(logger: logger, events: edges.dmEvents, dm: edges.dm, model: model, runner: runner, now: now)
        uevents.dmDeviceRemoved = { [kernelMaps, logger] in
            do { try kernelMaps.handleEvent() } catch { logger.warning("dm device removed: cannot list the maps: \(error)") }
        }
    }

    /// Adopts the multipath maps that exist, registers the event sources and signals, takes the block
    /// disks present now as one burst of adds, and opens the control socket to clients. systemd hears
    /// READY=1 once the maps of those disks are built (as 0.9.4's first configure builds them before it
    /// is ready: LVM and local file systems are ordered after the daemon), or once the slowest checker
    /// timeout of their paths has passed, so that a hung path cannot hold the boot.
    public func start() throws(SystemError) {
        notify("STATUS=startup")
        reactor.logSink = { [logger] in logger.error("\($0)") }
        notify("STATUS=configure")
        try kernelMaps.start()

        // A monitor that fails other than by overflow is broken: exit loudly, so that systemd restarts
        // the daemon and it lists the devices afresh (events are lost either way).
        tokens.append(
            try reactor.register(edges.udev.fileDescriptor, name: "udev monitor", onFailure: .stop) {
                [uevents] _ in try uevents.receive()
            })
        // Without DM events no kernel-failed path is seen: keep trying (an arm or a list can fail under
        // memory pressure), with a log line each time.
        tokens.append(
            try reactor.register(edges.dmEvents.fileDescriptor, name: "dm events", onFailure: Self.dmEventsRetry) {
                [kernelMaps] _ in try kernelMaps.handleEvent()
            })
        for signo in [SIGTERM, SIGINT] {
            try reactor.onSignal(signo) { [unowned self] in shutDown(reason: $0 == SIGINT ? "SIGINT" : "SIGTERM") }
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
        uevents.process(disks)
        if let controlSettings {
            let dispatcher = ControlDispatcher(
                logger: logger, model: model, runner: runner, setup: setup, host: edges.host,
                clock: { [reactor] in reactor.now }, daemon: self)
            let server = ControlServer(
                reactor: reactor, logger: logger, listeners: controlSettings.listeners,
                handler: dispatcher, timeout: controlSettings.timeout)
            try server.start()
            (self.dispatcher, controlServer) = (dispatcher, server)
        }
        if let watchdogInterval { scheduleWatchdog(every: watchdogInterval / 2) }
        let bound = (model.engine.paths.values.map(\.settings.checkerTimeout).max() ?? .zero) + .seconds(1)
        startupBound = reactor.schedule(earliest: reactor.now + bound, name: "start-up bound") { [unowned self] in
            logger.warning("start-up: maps still wait for their paths' first checks after \(bound); ready anyway")
            becomeReady()
        }
        runner.afterPerform = { [unowned self] in if !model.engine.awaitsFirstChecks { becomeReady() } }
        if !model.engine.awaitsFirstChecks { becomeReady() }
    }

    /// The start-up maps are built (or the bound passed): READY=1, once.
    private func becomeReady() {
        runner.afterPerform = nil
        if let startupBound { reactor.cancel(startupBound) }
        startupBound = nil
        guard state == .configure else { return }
        state = .idle
        notify("READY=1\nSTATUS=up")
        logger.notice("multipathd ready")
    }

    /// RELOADING=1, the reload, then READY=1 whatever its outcome: systemd waits for READY=1 either way.
    /// Every known path's checker and prioritizer are chosen again under the new configuration; the core
    /// applies it to paths and maps (reloading, renaming only what differs).
    func reconfigure() -> Result<Void, ReconfigureFailure> {
        state = .configure
        notify("RELOADING=1\nSTATUS=configure")
        defer {
            state = .idle
            notify("READY=1\nSTATUS=up")
        }
        switch reloadConfiguration() {
        case .success(let config):
            let choices = setup.choices(under: config)
            runner.perform(model.engine.reconfigure(config, choices: choices, now: reactor.now))
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

    /// Runs the loop until SIGTERM or SIGINT; throws when a source the daemon cannot run without failed.
    public func run() throws(ReactorError) {
        try reactor.run()
        controlServer?.stop()
        controlServer = nil
        for token in tokens { reactor.deregister(token) }
        tokens = []
    }

    func shutDown(reason: String) {
        logger.notice("\(reason): shutting down")
        state = .shutdown
        notify("STOPPING=1\nSTATUS=shutdown")
        runner.perform(model.engine.shutdown())
        reactor.stop()
    }
}

extension Daemon: DaemonLifecycle {}
