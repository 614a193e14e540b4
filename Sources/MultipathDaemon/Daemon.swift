import Glibc
import Logging
import MultipathCore
import MultipathReactor
import MultipathSystem

/// The daemon's wiring: uevents and device-mapper events in, log lines out (for now), signals for
/// shutdown, reconfigure and log reopening, the control socket, and systemd's notify protocol.
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

    private let reactor: Reactor
    private let logger: Logger
    private let udev: any UeventSource
    private let dm: any DMEventSource
    private let notify: (String) -> Void
    private let reopenLog: () -> Void
    private var dmDevices = DMEventTracker()
    private var tokens: [SourceToken] = []
    private let controlSettings: ControlSettings?
    private var controlServer: ControlServer?
    private var control: DaemonControl?
    private let watchdogInterval: Duration?
    private let reloadConfiguration: () -> Result<Void, DaemonControl.ReconfigureFailure>
    private let configText: (_ local: Bool) -> String
    public private(set) var state = DaemonState.configure

    /// Bounds one turn's uevent work; the rest waits for the next turn (the reactor is level-triggered).
    static let maxUeventsPerTurn = 64

    /// `notify` gets sd_notify assignments ("READY=1"); `reopenLog` runs on SIGUSR1; `watchdog` is
    /// systemd's WATCHDOG_USEC (WATCHDOG=1 is sent every half of it); `reloadConfiguration` is what
    /// `reconfigure` and SIGHUP run; `configText` is what `show config [local]` prints.
    public init(reactor: Reactor, logger: Logger, udev: any UeventSource, dm: any DMEventSource,
                notify: @escaping (String) -> Void = { _ in }, reopenLog: @escaping () -> Void = {},
                control: ControlSettings? = nil, watchdog: Duration? = nil,
                reloadConfiguration: @escaping () -> Result<Void, DaemonControl.ReconfigureFailure> = {
                    .failure(.init("no configuration files to reload"))
                },
                configText: @escaping (_ local: Bool) -> String = { renderConfig(.builtin, onlyDifferences: $0) }) {
        self.reactor = reactor
        self.logger = logger
        self.udev = udev
        self.dm = dm
        self.notify = notify
        self.reopenLog = reopenLog
        controlSettings = control
        watchdogInterval = watchdog
        self.reloadConfiguration = reloadConfiguration
        self.configText = configText
    }

    /// Takes the device-mapper inventory, registers the event sources and the signals, and tells
    /// systemd the daemon is ready.
    public func start() throws(SystemError) {
        notify("STATUS=startup")
        reactor.logSink = { [logger] in logger.error("\($0)") }
        notify("STATUS=configure")
        // Arm before listing, so that an event between the two still wakes the loop.
        try dm.armPoll()
        for change in dmDevices.update(try dm.listDevices()) { logger.debug("dm device at start: \(change)") }
        logger.info("\(dmDevices.known.count) device-mapper devices at start")

        tokens.append(try reactor.register(udev.fileDescriptor, name: "udev monitor") { [unowned self] _ in receiveUevents() })
        tokens.append(try reactor.register(dm.fileDescriptor, name: "dm events") { [unowned self] _ in try dmEvent() })
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
        if let controlSettings {
            let control = DaemonControl(logger: logger, hooks: .init(
                snapshot: { ShowSnapshot() },
                state: { [unowned self] in state },
                shutdown: { [unowned self] in shutDown(reason: "shutdown command") },
                reconfigure: { [unowned self] in reconfigure() },
                configText: configText))
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
    func reconfigure() -> Result<Void, DaemonControl.ReconfigureFailure> {
        state = .configure
        notify("RELOADING=1\nSTATUS=configure")
        let result = reloadConfiguration()
        state = .idle
        notify("READY=1\nSTATUS=up")
        return result
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
        reactor.stop()
    }

    /// Errors here are logged, never thrown: a lost or malformed message must not disable the monitor.
    private func receiveUevents() {
        for _ in 0..<Self.maxUeventsPerTurn {
            do {
                guard let event = try udev.receive() else { return }
                logger.debug("uevent \(event.action) \(event.sysname) \(event.devnum.map { "\($0)" } ?? "-") wwid \(event.wwid ?? "-")")
            } catch {
                logger.warning("uevent lost: \(error)")
                return
            }
        }
    }

    private func dmEvent() throws(SystemError) {
        try dm.armPoll()
        let changes = dmDevices.update(try dm.listDevices())
        if changes.isEmpty { logger.debug("dm event: no device changed") }
        for change in changes { logger.debug("dm event: \(change)") }
    }
}
