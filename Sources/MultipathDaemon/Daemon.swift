import Glibc
import Logging
import MultipathCore
import MultipathReactor
import MultipathSystem

/// The daemon's wiring: uevents and device-mapper events in, log lines out (for now), signals for
/// shutdown, reconfigure and log reopening.
public final class Daemon {
    private let reactor: Reactor
    private let logger: Logger
    private let udev: any UeventSource
    private let dm: any DMEventSource
    private let notify: (String) -> Void
    private let reopenLog: () -> Void
    private var dmDevices = DMEventTracker()
    private var tokens: [SourceToken] = []

    /// Bounds one turn's uevent work; the rest waits for the next turn (the reactor is level-triggered).
    static let maxUeventsPerTurn = 64

    /// `notify` gets sd_notify assignments ("READY=1"); `reopenLog` runs on SIGUSR1.
    public init(reactor: Reactor, logger: Logger, udev: any UeventSource, dm: any DMEventSource,
                notify: @escaping (String) -> Void = { _ in }, reopenLog: @escaping () -> Void = {}) {
        self.reactor = reactor
        self.logger = logger
        self.udev = udev
        self.dm = dm
        self.notify = notify
        self.reopenLog = reopenLog
    }

    /// Takes the device-mapper inventory, registers the event sources and the signals, and tells
    /// systemd the daemon is ready.
    public func start() throws(SystemError) {
        reactor.logSink = { [logger] in logger.error("\($0)") }
        // Arm before listing, so that an event between the two still wakes the loop.
        try dm.armPoll()
        for change in dmDevices.update(try dm.listDevices()) { logger.debug("dm device at start: \(change)") }
        logger.info("\(dmDevices.known.count) device-mapper devices at start")

        tokens.append(try reactor.register(udev.fileDescriptor, name: "udev monitor") { [unowned self] _ in receiveUevents() })
        tokens.append(try reactor.register(dm.fileDescriptor, name: "dm events") { [unowned self] _ in try dmEvent() })
        for signo in [SIGTERM, SIGINT] {
            try reactor.onSignal(signo) { [unowned self] in shutDown(signal: $0) }
        }
        try reactor.onSignal(SIGHUP) { [logger] _ in
            logger.notice("SIGHUP: reconfigure requested (configuration reload is not implemented yet)")
        }
        try reactor.onSignal(SIGUSR1) { [logger, reopenLog] _ in
            reopenLog()
            logger.notice("SIGUSR1: log reopened")
        }
        notify("READY=1\nSTATUS=running")
        logger.notice("multipathd ready")
    }

    /// Runs the loop until SIGTERM or SIGINT.
    public func run() throws(SystemError) {
        try reactor.run()
        for token in tokens { reactor.deregister(token) }
        tokens = []
    }

    private func shutDown(signal signo: Int32) {
        logger.notice("\(signo == SIGINT ? "SIGINT" : "SIGTERM"): shutting down")
        notify("STOPPING=1")
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
