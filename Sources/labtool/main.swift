// The lab's tool (lab/cases/*.sh), one subcommand per call: drives the kernel edges and prints plain
// lines for the shell to compare with sysfs, udev and dmsetup; sends SCSI commands through the SG edge;
// watches and flaps paths under any multipath daemon to measure it. Exits 1 with a message on failure.
import Glibc
import MultipathCore
import MultipathSystem

func printError(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

func fail(_ message: String) -> Never {
    printError("labtool: \(message)")
    exit(1)
}

let usage = """
    usage: labtool paths                              every block disk: name dev_t H:C:T:L wwid size vendor product transport tpgs
           labtool maps                               multipath maps: name dev_t event_nr uuid
           labtool create NAME WWID SECTORS TABLE...  create a multipath map
           labtool remove NAME
           labtool table NAME | status NAME           parsed and rendered again
           labtool groups NAME                        the live table's path groups, one line each: N dev_t...
           labtool message NAME TEXT...               send a target message
           labtool busy-message NAME TEXT...          suspend, expect the message to come back busy, resume
           labtool dm-event NAME TEXT...              send a message; print how long until /dev/mapper/control
                                                      turned readable (DM_DEV_ARM_POLL) and the map's event change
           labtool tur [--timeout-ms N] [--tick-ms N] SG...   one TUR per sg device on the reactor (retried as the
                                                      tur checker does): "result DEV STATE after_ms=.. reason=.."
           labtool tur-bench SECONDS [--depth N] SG...        TURs back to back, N in flight per device
           labtool watch FILE                         path state changes of every multipath map, from DM events,
                                                      one line each, until SIGTERM/SIGINT
           labtool flap DISK... [--mode offline|delete] [--count N] [--hold-ms H] [--timeout-ms T]
                        [--label L] [--csv FILE] [--log FILE]
                                                      takes each DISK (sdX) away and back N times through sysfs,
                                                      the disks independently in one loop; each state is held
                                                      until the daemon reacted (at most T, else missed) plus a
                                                      random 0..H ms; prints min/median/p99/max of the reaction
                                                      times over all disks; raw samples to the CSV
           labtool wait-queueing NAME on|off TIMEOUT_MS  polls the live table (every 2 ms, no process spawned)
                                                      until queue_if_no_path is on/off; prints the wall clock
                                                      then, as bash's $EPOCHREALTIME
           labtool control-load [--csv FILE LABEL] CLIENTS N COMMAND
                                                      hold CLIENTS connections to the daemon (the first stalled
                                                      mid-request), then time N round trips of COMMAND on
                                                      another: min p50 p99 max in ms; each round trip appended
                                                      to FILE as "LABEL,ms"
           labtool control-flood ATTEMPTS HOLD_MS         open ATTEMPTS connections at once (non-blocking), hold them
                                                      HOLD_MS, close them: "connected N closed N refused N"
           labtool control-stall                      send part of a request and nothing more: "MS REPLY" (ms until
                                                      the daemon closed the connection, what it answered)
    """

let args = Array(CommandLine.arguments.dropFirst())
guard let command = args.first else { fail(usage) }

func dm() -> DeviceMapper {
    DeviceMapper { level, message in
        if level <= .warning { printError("libdevmapper: \(message)") }
    }
}

func arg(_ i: Int) -> String {
    guard i < args.count else { fail(usage) }
    return args[i]
}

/// Suspends the map, sends the message, resumes. A suspended map must refuse with `.busy`.
func messageWhileSuspended(_ m: MultipathMessage, to name: String, _ d: DeviceMapper) throws(DeviceMapperError) -> String {
    try d.suspend(name)
    let result: Result<Void, DeviceMapperError>
    do {
        try d.send(m, to: name)
        result = .success(())
    } catch { result = .failure(error) }
    try d.resume(name)
    switch result {
    case .success: fail("message to a suspended map was accepted")
    case .failure(let e) where e.isBusy: return "busy"
    case .failure(let e): throw e
    }
}

/// Arms DM event polling, sends the message, and waits for the control fd to turn readable. Returns
/// the wait in microseconds and what the device list then says changed for the map.
func eventAfter(_ m: MultipathMessage, to name: String, _ d: DeviceMapper) throws -> (UInt64, [DMEventTracker.Change]) {
    let control = try DMControl()
    var tracker = DMEventTracker()
    try control.armPoll()
    _ = tracker.update(try control.listDevices())
    let clock = MonotonicClock()
    let start = clock.now
    try d.send(m, to: name)
    var pfd = pollfd(fd: control.fileDescriptor.rawValue, events: Int16(POLLIN), revents: 0)
    guard poll(&pfd, 1, 5000) == 1 else { fail("no DM event within 5 s") }
    let waited = (clock.now - start).nanosecondsClamped / 1000
    try control.armPoll()
    let changes = tracker.update(try control.listDevices()).filter {
        if case .event(let dev, _) = $0 { dev.name == name } else { false }
    }
    return (UInt64(waited), changes)
}

/// A raw connection to the control socket, for clients that misbehave on purpose.
func rawControlConnection() throws(SystemError) -> Int32 {
    let address = ControlSocketAddress.clientAddress(override: ControlSocketAddress.environmentOverride)
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
    _ = try address.withSockaddr { sa, len in valueOrErrno { connect(fd, sa, len) } }.get("connect \(address)")
    return fd
}

/// A round trip may take up to 30 s: under TCG, 0.9.4's `show paths` at a thousand paths takes seconds.
func controlLoad(clients: Int, rounds: Int, command: String) throws -> [Double] {
    var held: [Int32] = []
    for i in 0..<clients {
        let fd = try rawControlConnection()
        if i == 0 {
            // A length and the first bytes of a request, and then nothing.
            let partial = Array(ControlFraming.frame(command).prefix(11))
            _ = partial.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        held.append(fd)
    }
    defer { held.forEach { close($0) } }
    let client = try ControlClient(connectingTo: .clientAddress(override: ControlSocketAddress.environmentOverride))
    let clock = MonotonicClock()
    var ms: [Double] = []
    for _ in 0..<rounds {
        let t0 = clock.now
        _ = try client.request(command, timeoutMilliseconds: 30000)
        ms.append(Double((clock.now - t0).nanosecondsClamped) / 1e6)
    }
    return ms
}

/// When `map`'s queueing was first seen as `want`, as `seconds.microseconds` of the wall clock.
func waitQueueing(_ map: String, _ want: Bool, timeout: Duration, _ dm: DeviceMapper) throws -> String {
    let clock = MonotonicClock()
    let end = clock.now + timeout
    while try dm.table(map).table.features.contains("queue_if_no_path") != want {
        if clock.now >= end { fail("\(map): queueing not \(want ? "on" : "off") within \(timeout)") }
        usleep(2000)
    }
    var wall = timespec()
    clock_gettime(CLOCK_REALTIME, &wall)
    let micros = String(wall.tv_nsec / 1000)
    return "\(wall.tv_sec).\(String(repeating: "0", count: 6 - micros.count) + micros)"
}

do {
    switch command {
    case "paths":
        // The VPD 0x83 decoder is the SCSI helper's; until it is wired in, a path without the uid
        // property is listed with no WWID ("-"), which the lab case would report as a mismatch.
        for event in try UdevEnumerator.blockDisks() {
            switch Sysfs().pathIdentity(of: event) {
            case .success(let p):
                print(
                    p.name, p.devT, p.hctl.map(\.description) ?? "-", p.wwid ?? "-", p.sizeSectors,
                    p.vendor.isEmpty ? "-" : p.vendor, p.product.isEmpty ? "-" : p.product, p.transport, p.tpgs)
            case .failure(let why):
                print("#", why)
            }
        }
    case "maps":
        for m in try dm().multipathMaps() { print(m.name, m.devT, m.eventNumber, m.uuid) }
    case "create":
        guard let size = UInt64(arg(3)) else { fail("SECTORS must be a number") }
        let table = try MultipathTable(parsing: args[4...].joined(separator: " "))
        try dm().create(name: arg(1), wwid: arg(2), sizeSectors: size, table: table)
    case "remove":
        try dm().remove(arg(1), deferred: false)
    case "table":
        print(try dm().table(arg(1)).table)
    case "groups":
        for (i, g) in try dm().table(arg(1)).table.groups.enumerated() {
            print(i + 1, g.paths.map(\.device).joined(separator: " "))
        }
    case "status":
        print(try dm().status(arg(1)))
    case "message":
        guard let m = MultipathMessage(args[2...].joined(separator: " ")) else { fail("not a multipath message") }
        try dm().send(m, to: arg(1))
    case "busy-message":
        guard let m = MultipathMessage(args[2...].joined(separator: " ")) else { fail("not a multipath message") }
        print(try messageWhileSuspended(m, to: arg(1), dm()))
    case "tur", "tur-bench":
        sgProbe(args.dropFirst(), bench: command == "tur-bench")
    case "watch":
        watch(args.dropFirst())
    case "flap":
        flap(args.dropFirst())
    case "dm-event":
        guard let m = MultipathMessage(args[2...].joined(separator: " ")) else { fail("not a multipath message") }
        let (us, changes) = try eventAfter(m, to: arg(1), dm())
        print(us, changes.map(\.description).joined(separator: ", "))
    case "wait-queueing":
        guard let want = ["on": true, "off": false][arg(2)], let limit = Int(arg(3)) else { fail(usage) }
        print(try waitQueueing(arg(1), want, timeout: .milliseconds(limit), dm()))
    case "control-load":
        let csv: (path: String, label: String)? = arg(1) == "--csv" ? (arg(2), arg(3)) : nil
        let a = csv == nil ? 1 : 4
        guard let clients = Int(arg(a)), let rounds = Int(arg(a + 1)), rounds > 0 else { fail(usage) }
        let raw = try controlLoad(clients: clients, rounds: rounds, command: args[(a + 2)...].joined(separator: " "))
        if let csv {
            let fd = try FileDescriptor.open(csv.path, O_WRONLY | O_CREAT | O_APPEND, mode: 0o644)
            defer { fd.close() }
            var text = raw.map { "\(csv.label),\($0)\n" }.joined()
            _ = try text.withUTF8 { fd.write(UnsafeRawBufferPointer($0)) }.get("write \(csv.path)")
        }
        let ms = raw.sorted()
        let at = { (q: Double) in ms[min(ms.count - 1, Int(q * Double(ms.count)))] }
        let f = { (x: Double) in String(Double(Int(x * 1000)) / 1000) }
        print(f(ms[0]), f(at(0.5)), f(at(0.99)), f(ms[ms.count - 1]))
    case "control-flood":
        guard let attempts = Int(arg(1)), let hold = Int(arg(2)) else { fail(usage) }
        let r = try controlFlood(attempts: attempts, holdMilliseconds: hold)
        print("connected \(r.connected) closed \(r.closed) refused \(r.refused)")
    case "control-stall":
        let r = try controlStall()
        print(Int(r.ms), r.reply.isEmpty ? "-" : r.reply.split(separator: "\n").joined(separator: " "))
    default:
        fail(usage)
    }
} catch {
    fail("\(error)")
}
