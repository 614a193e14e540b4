import Glibc
import Logging
import MultipathCore
import MultipathPathIO
import MultipathReactor
import MultipathRegex
import MultipathSystem

/// The daemon's life in this process: log, pid file, kernel interfaces, loop, orderly exit. It never
/// forks: under systemd (Type=notify) the service manager keeps it in the background.
public enum DaemonMain {
    /// Returns the exit status. `handler` replaces the log destination chosen from `options`, and
    /// `hardens: false` leaves memory locking, OOM score and scheduler alone (tests run it in their own process).
    public static func run(
        _ options: DaemonOptions, pidFilePath: String = PidFile.defaultPath,
        dmControlPath: String = DMControl.defaultPath, handler: (any LogHandler)? = nil, hardens: Bool = true
    ) -> Int32 {
        // As 0.9.4: the configuration is read first, its `verbosity` sets the level unless `-v` does.
        let (loaded, diagnostics) = ConfigFiles.load()
        let level = Logger.Level(verbosity: options.verbosity(loaded))
        let ours = DaemonLogHandler(
            destination: options.foreground ? .standardError(timestamps: options.timestamps) : .syslog, level: level)
        var chosen: any LogHandler = handler ?? ours
        chosen.logLevel = level
        let logger = Logger(label: "multipathd") { [chosen] _ in chosen }
        logger.notice("multipathd (swift-multipathd) starting")
        let running = RunningConfiguration(config: loaded, diagnostics: diagnostics, logger: logger) { [chosen] config in
            // A copy of the handler sets the level of every copy of the logger (DaemonLogHandler shares it).
            var copy = chosen
            copy.logLevel = Logger.Level(verbosity: options.verbosity(config))
        }
        for warning in options.warnings { logger.warning("\(warning)") }

        let pidFile: PidFile
        do { pidFile = try PidFile(path: pidFilePath) } catch {
            logger.error("\(error)")
            return 1
        }
        defer { pidFile.remove() }
        if hardens { harden(logger: logger) }

        let dm: DMControl
        do { dm = try DMControl(path: dmControlPath) } catch {
            if error.errno == .noEntry || error.errno == .noDevice {
                logger.error("this kernel has no device-mapper (\(error)); load dm_mod or use a kernel with device-mapper")
            } else {
                logger.error("cannot use device-mapper: \(error)")
            }
            return 1
        }
        logger.info("device-mapper interface \(dm.versionString)")

        let config = running.config
        let fds = FileLimit.raise(to: config.maxFDs)
        if fds.after != fds.before { logger.info("open file limit \(fds.before) -> \(fds.after) (max_fds)") }
        if let wanted = config.maxFDs, fds.after < wanted { logger.warning("max_fds \(wanted): the open file limit stays \(fds.after)") }
        let wwids = TextFiles.read(config.wwidsFile).map(WWIDsFile.parse) ?? WWIDsFile()
        var bindings = Bindings(readOnly: options.readOnlyBindings)
        if let text = TextFiles.read(config.bindingsFile) {
            let (parsed, problems) = Bindings.parse(text, file: config.bindingsFile, readOnly: options.readOnlyBindings)
            bindings = parsed
            for p in problems { logger.warning("\(p)") }
        }
        let dmLog = logger
        let deviceMapper = DeviceMapper { level, message in
            if level <= .error {
                dmLog.error("libdevmapper: \(message)")
            } else if level <= .warning {
                dmLog.debug("libdevmapper: \(message)")
            }
        }

        // Like sd_notify: a broken NOTIFY_SOCKET is worth a warning, not a refusal to run.
        var notifier: SystemdNotifier?
        do { notifier = try SystemdNotifier.fromEnvironment() } catch { logger.warning("NOTIFY_SOCKET: \(error)") }
        let listeners: [ControlListener]
        do { listeners = try controlListeners(logger: logger) } catch {
            logger.error("control socket: \(error)")
            return 1
        }
        do {
            let reactor = try Reactor()
            let edges = Daemon.Edges(
                udev: try UdevMonitor(), dmEvents: dm, dm: deviceMapper,
                io: SGPathIO(reactor: reactor), host: .system)
            let daemon = Daemon(
                reactor: reactor, logger: logger, config: config, edges: edges, wwids: wwids,
                bindings: bindings, readOnlyBindings: options.readOnlyBindings,
                notify: { [logger, notifier] state in
                    do { try notifier?.notify(state) } catch { logger.warning("sd_notify: \(error)") }
                },
                reopenLog: ours.reopen,
                control: .init(listeners: listeners, timeout: .milliseconds(running.config.uxsockTimeoutMilliseconds)),
                watchdog: SystemdNotifier.watchdogIntervalFromEnvironment(),
                reloadConfiguration: running.reload)
            return serve(daemon, logger: logger)
        } catch {
            logger.error("\(error)")
            return 1
        }
    }

    /// Starts the daemon and runs its loop: 0 after an orderly shutdown; 1, with the reason logged, when
    /// start-up fails or a source whose failure stops the loop fails (the udev monitor), so that
    /// systemd's `Restart=` starts a daemon that lists every device afresh.
    public static func serve(_ daemon: Daemon, logger: Logger) -> Int32 {
        do {
            try daemon.start()
            try daemon.run()
        } catch {
            logger.error("\(error)")
            return 1
        }
        logger.notice("multipathd stopped")
        return 0
    }

    /// Memory locked, spared by the OOM killer, realtime scheduling within RLIMIT_RTPRIO: each as far as
    /// the system allows, logged and gone past when refused (as 0.9.4).
    static func harden(logger: Logger) {
        do { try ProcessHardening.lockMemory() } catch { logger.warning("cannot lock the daemon's memory: \(error)") }
        let limits = ProcessHardening.realtimeLimits()
        let plan = StartupHardening(
            systemdSetsOOMScore: ProcessHardening.systemdSetsOOMScore, realtimeLimit: limits.hard,
            highestRoundRobinPriority: limits.highest)
        if let score = plan.oomScoreAdjust {
            do { try ProcessHardening.setOOMScoreAdjust(score) } catch { logger.error("cannot adjust the OOM score: \(error)") }
        } else {
            logger.debug("oom_score_adj: using systemd's OOMScoreAdjust")
        }
        if let priority = plan.realtimePriority {
            do {
                try ProcessHardening.setRoundRobin(priority: priority)
                logger.info("scheduling: SCHED_RR priority \(priority) (RLIMIT_RTPRIO)")
            } catch {
                logger.warning("cannot use realtime scheduling: \(error)")
            }
        } else {
            logger.debug("scheduling: RLIMIT_RTPRIO is 0, no realtime priority")
        }
    }

    /// The sockets systemd passed (socket activation), or our own on the addresses
    /// `MULTIPATH_SOCKET_NAME` or the defaults name.
    static func controlListeners(logger: Logger) throws -> [ControlListener] {
        let passed = try SocketActivation.takeFromEnvironment()
        if !passed.isEmpty {
            logger.info("control: \(passed.count) socket(s) from systemd")
            return try passed.map { fd throws(SystemError) in try ControlListener(adopting: fd) }
        }
        let addresses = ControlSocketAddress.daemonAddresses(override: ControlSocketAddress.environmentOverride)
        let listeners = try addresses.map { a throws(SystemError) in try ControlListener(binding: a) }
        logger.info("control: listening on \(addresses.map(\.name).joined(separator: " and "))")
        return listeners
    }
}

/// The configuration the daemon runs with: loaded at start, replaced by `reconfigure` only when the files
/// load without errors.
final class RunningConfiguration {
    private(set) var config: Config
    private let logger: Logger
    /// Applies a configuration's log level (`verbosity`).
    private let setLogLevel: (Config) -> Void

    init(config: Config, diagnostics: [ConfigDiagnostic], logger: Logger, setLogLevel: @escaping (Config) -> Void) {
        self.logger = logger
        self.config = config
        self.setLogLevel = setLogLevel
        log(diagnostics)
    }

    func reload() -> Result<Config, ReconfigureFailure> {
        let files = ConfigFiles.read()
        let (config, applied, diagnostics) = ConfigLoader.reload(current: self.config, main: files.main, confD: files.confD, regex: .glibc)
        log(diagnostics)
        guard applied else {
            let errors = diagnostics.filter { $0.severity == .error }
            return .failure(.init("\(errors.count) error(s) in the configuration, first: \(errors[0])"))
        }
        self.config = config
        setLogLevel(config)
        logger.notice("configuration reloaded")
        return .success(config)
    }

    private func log(_ diagnostics: [ConfigDiagnostic]) {
        for d in diagnostics {
            if d.severity == .error { logger.error("\(d)") } else { logger.warning("\(d)") }
        }
    }
}
