import MultipathCore
import MultipathRegex
import MultipathSystem

/// What the daemon learnt about a path when it appeared, for its checker and prioritizer.
struct PathContext {
    /// `queue/logical_block_size`: the readsector0 and directio read length.
    var blockSize: Int
    /// The path's target port group, from VPD page 0x83 (prio alua).
    var targetPortGroup: UInt16?
    /// An NVMe namespace's id (sysfs `nsid`), for prio ana.
    var nvmeNamespaceID: UInt32?
}

/// Runs checkers and prioritizers on the asynchronous edges. Each ends in exactly one call of its
/// completion, from the loop; none waits.
final class PathProber {
    let io: PathIO
    private let host: DaemonHost
    private let now: () -> Instant
    /// Warnings already given (a prioritizer refused, bad path_latency arguments): each is said once.
    private var warned: Set<String> = []
    /// path_latency measurements out, with everyone waiting for their answer: a request while one
    /// runs joins it rather than doubling the reads.
    private var latencyWaiters: [DevT: [(Int?) -> Void]] = [:]
    /// Says once per prioritizer name why it is not run, and once per `prio_args` what is wrong with them.
    var warn: (String) -> Void = { _ in }
    var debug: (String) -> Void = { _ in }

    init(io: PathIO, host: DaemonHost, now: @escaping () -> Instant) {
        self.io = io
        self.host = host
        self.now = now
    }

    // MARK: Checkers

    /// 0.9.4's path_offline ahead of the checker, for a failing SCSI path: a device whose sysfs `state`
    /// is not `running` gets its verdict from that state, and no command is sent. An offline device
    /// refuses its sg node's open and every command, so each probe of it cost a directory listing and
    /// a failed open; one read on a descriptor kept open replaces them (a fabric's worth of paths is
    /// probed every `failed_path_reprobe_ms`). nil: the checker decides.
    func stateVerdict(_ path: MultipathPath) -> CheckerVerdict? {
        guard Multipaths.isFailing(path.health.state), !path.identity.transport.isNVMe, path.settings.checker.value != .none,
            let state = io.deviceAttribute(path.devT, "state").map(sysfsText), state != "running"
        else { return nil }
        return .scsiDeviceState(state, source: "sysfs state")
    }

    func check(_ path: MultipathPath, _ context: PathContext, _ done: @escaping (CheckerVerdict) -> Void) {
        let timeout = path.settings.checkerTimeout
        let devT = path.devT
        switch path.settings.checker.value {
        case .tur:
            command(.testUnitReady, devT, timeout, done)
        case .readsector0:
            command(.read10(lba: 0, blockSize: context.blockSize), devT, timeout, done)
        case .directio:
            io.directRead(devT, length: context.blockSize, timeout: timeout) { done(CommandInterpreter.interpret($0)) }
        case .none:
            // An NVMe namespace's `device` is its controller.
            let state = io.deviceAttribute(devT, "state").map(sysfsText)
            done(path.identity.transport.isNVMe ? .nvmeControllerState(state) : .scsiDeviceState(state))
        case .rdac:
            io.submit(.rdacVolumeAccess, to: devT, timeout: timeout) { done(VendorCheckers.rdac($0)) }
        case .emcClariion:
            io.submit(.emcUnitPathReport, to: devT, timeout: timeout) { done(VendorCheckers.emcClariion($0)) }
        case .hpSw:
            io.submit(.hpSwInquiry, to: devT, timeout: timeout) { [io] inquiry in
                io.submit(.testUnitReady, to: devT, timeout: timeout) { done(VendorCheckers.hpSw(inquiry: inquiry, tur: $0)) }
            }
        case .ccissTur:
            done(CheckerVerdict(.wild, "checker cciss_tur is not supported (cciss devices have no SCSI generic interface)"))
        }
    }

    /// One command, repeated as the tur checker repeats it (unit attention, busy...), then a verdict.
    private func command(
        _ c: SCSICommand, _ devT: DevT, _ timeout: Duration, attempt: Int = 1,
        _ done: @escaping (CheckerVerdict) -> Void
    ) {
        io.submit(c, to: devT, timeout: timeout) { [self] outcome in
            let i = CommandInterpreter.interpret(outcome, command: c.name)
            if let v = CommandInterpreter.settle(i, attempt: attempt) { return done(v) }
            command(c, devT, timeout, attempt: attempt + 1, done)
        }
    }

    // MARK: Prioritizers

    /// nil: the prioritizer failed or is not supported (0.9.4's PRIO_UNDEF).
    func prioritize(_ path: MultipathPath, _ context: PathContext, _ done: @escaping (Int?) -> Void) {
        run(path.settings.prio.value, args: path.settings.prioArgs, path, context, done)
    }

    private func run(
        _ kind: PrioritizerKind, args: String, _ path: MultipathPath, _ context: PathContext, _ done: @escaping (Int?) -> Void
    ) {
        switch kind {
        case .const:
            done(1)
        case .random:
            done(host.random())
        case .sysfs:
            let state = io.deviceAttribute(path.devT, "access_state").map(sysfsText).flatMap(Self.aluaState(named:))
            let preferred = io.deviceAttribute(path.devT, "preferred_path").map(sysfsText) == "1"
            done(state.map { aluaPriority($0, preferred: preferred, exclusivePreferredBit: Self.exclusivePreferredBit(args)) })
        case .alua:
            guard let group = context.targetPortGroup else { return done(nil) }
            io.submit(.reportTargetPortGroups(), to: path.devT, timeout: path.settings.checkerTimeout) { outcome in
                guard case .completed(let r) = outcome, r.isGood, let groups = parseTargetPortGroups(r.data),
                    let mine = groups.first(where: { $0.id == group })
                else { return done(nil) }
                done(aluaPriority(mine.state, preferred: mine.preferred, exclusivePreferredBit: Self.exclusivePreferredBit(args)))
            }
        case .weightedpath:
            done(Self.weightedPath(args, path.identity))
        case .pathLatency:
            let (settings, complaint) = PathLatency.parse(args)
            if let complaint, warned.insert("path_latency \(args)").inserted { warn("\(path.name): path_latency: \(complaint)") }
            let devT = path.devT
            guard latencyWaiters[devT] == nil else { return latencyWaiters[devT]!.append(done) }
            latencyWaiters[devT] = [done]
            sampleLatency(path, context, settings, []) { [self] priority in
                for waiter in latencyWaiters.removeValue(forKey: devT) ?? [] { waiter(priority) }
            }
        case .ana:
            ana(path, context) { [self] answer in
                switch answer {
                case .state(let byte):
                    guard let state = ANAState(rawValue: byte) else {
                        complain("\(path.name): invalid ANA state \(byte)")
                        return done(nil)
                    }
                    debug("\(path.name): ana state = \(state)")
                    done(state.priority)
                case .notReported:
                    if let f = path.settings.prioWithoutANA { return run(f.prio.value, args: f.args, path, context, done) }
                    complain("\(path.name): ANA error: ANA not supported")
                    done(nil)
                case .failed(let why):
                    complain("\(path.name): ANA error: \(why)")
                    done(nil)
                }
            }
        case .ontap, .hds, .emc, .rdac, .hpSw, .iet, .datacore:
            let other = kind.rawValue
            if warned.insert(other).inserted {
                warn(
                    "prioritizer \(other) is not supported (\(Self.prioritizers.joined(separator: ", ")) are): paths using it get an undefined priority"
                )
            }
            done(nil)
        }
    }

    /// A prioritizer's failure: loud the first time, at debug level after (0.9.4 logs it at every
    /// refresh, a line every few seconds for as long as it lasts).
    func complain(_ line: String) {
        if warned.insert(line).inserted { warn(line) } else { debug(line) }
    }

    /// The next of `settings.samples` reads, issued when the previous one ended (0.9.4 times them one after
    /// another); a failed read leaves the priority undefined, as 0.9.4's "path down".
    private func sampleLatency(
        _ path: MultipathPath, _ context: PathContext, _ settings: PathLatency, _ latencies: [Duration],
        _ done: @escaping (Int?) -> Void
    ) {
        guard latencies.count < settings.samples else {
            let m = settings.measure(latencies)
            debug("\(path.name): path_latency: \(m)")
            return done(m.priority)
        }
        let start = now()
        io.directRead(path.devT, length: Self.latencyReadLength(context), timeout: path.settings.checkerTimeout) { [self] outcome in
            guard case .finished(let bytes, let expected) = outcome, bytes == expected else {
                debug("\(path.name): path_latency: read failed (\(outcome)), priority undefined")
                return done(nil)
            }
            sampleLatency(path, context, settings, latencies + [now() - start], done)
        }
    }

    /// 0.9.4 reads the block device's soft block size (BLKBSZGET: 4096 on common disks, never less than
    /// the logical block size).
    static func latencyReadLength(_ context: PathContext) -> Int { max(4096, context.blockSize) }

    static let prioritizers = PrioritizerKind.allCases.filter(\.isRun).map(\.rawValue)

    /// The kernel's `access_state` words.
    /// Checked on every priority refresh: the generic substring search costs ~27K instructions even on
    /// the empty arguments most paths have (callgrind in the lab), so those skip it.
    static func exclusivePreferredBit(_ args: String) -> Bool {
        !args.isEmpty && args.split(separator: " ").contains("exclusive_pref_bit")
    }

    static func aluaState(named s: String) -> ALUAState? {
        switch s {
        case "active/optimized": .activeOptimized
        case "active/non-optimized": .activeNonOptimized
        case "standby": .standby
        case "unavailable": .unavailable
        case "lba-dependent": .lbaDependent
        case "offline": .offline
        case "transitioning": .transitioning
        default: nil
        }
    }

    /// 0.9.4's weightedpath: `hbtl|devname|serial|wwn` then `regex prio` pairs; the first regex that
    /// matches the path's H:B:T:L, name, serial or `host_wwnn:host_wwpn:target_wwnn:target_wwpn` gives
    /// the priority, else 0.
    static func weightedPath(_ args: String, _ p: PathIdentity) -> Int? {
        let words = args.split(separator: " ").map(String.init)
        guard let kind = words.first else { return nil }
        let subject: String
        switch kind {
        case "hbtl": subject = p.hctl?.description ?? ""
        case "devname": subject = p.name
        case "serial": subject = p.serial
        case "wwn": subject = p.fc.map { "\($0.hostNodeName):\($0.hostPortName):\($0.targetNodeName):\($0.targetPortName)" } ?? ""
        default: return nil
        }
        var i = 1
        while i + 1 < words.count {
            if case .success(let regex) = RegexEngine.glibc.compile(words[i]), regex.matches(subject) { return Int(words[i + 1]) }
            i += 2
        }
        return 0
    }
}
