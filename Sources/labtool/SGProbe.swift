// The SG edge on the reactor: sends SCSI commands to sg devices on one loop and prints what the checker
// would conclude (`labtool tur`), or measures TUR throughput and round trips (`labtool tur-bench`).
//
// `tur` prints, per device:       result DEVICE STATE after_ms=A deadline_ms=D attempts=K reason=TEXT
// and with --tick-ms:              ticks N max_late_ms=X   (a repeating timer's lateness while commands ran)
// `tur-bench` prints:              bench commands=N ... per_second=R rtt_us min=.. p50=.. p99=.. max=..
import Glibc
import MultipathCore
import MultipathPathIO
import MultipathReactor
import MultipathSystem

func ms(_ d: Duration) -> Int64 { d.nanosecondsClamped / 1_000_000 }

/// One sg device in the loop (`SGSource`: its fd registered for readiness, one timer kept at its
/// earliest deadline), closed as soon as it is gone.
final class Path {
    let sg: SGSource
    let timeout: Duration
    var device: SGDevice { sg.device }

    init(_ path: String, reactor: Reactor, timeout: Duration) throws(SystemError) {
        let device = try SGDevice(path: path)
        do { sg = try SGSource(device, reactor: reactor) } catch {
            device.close()
            throw error
        }
        self.timeout = timeout
        sg.onGone = { [unowned sg] in sg.close() }
    }

    func submit(_ command: SCSICommand, _ completion: @escaping (CommandOutcome) -> Void) {
        sg.submit(command, timeout: timeout, completion: completion)
    }

    func close() { sg.close() }
}

final class Probe {
    let reactor: Reactor
    let timeout: Duration
    var paths: [Path] = []

    init(devices: [String], timeout: Duration) throws(SystemError) {
        reactor = try Reactor()
        self.timeout = timeout
        for d in devices {
            do { paths.append(try Path(d, reactor: reactor, timeout: timeout)) } catch {
                print("result \(d) down after_ms=0 deadline_ms=\(ms(timeout)) attempts=0 reason=open failed: \(error)")
            }
        }
    }

    /// One TUR per device, retried as the tur checker retries; prints each verdict with its timing, and the
    /// lateness of a timer repeating every `tick` meanwhile.
    func check(tick: Duration?) throws {
        var remaining = paths.count
        func send(_ p: Path, attempt: Int) {
            let sent = reactor.now
            p.submit(.testUnitReady) { [self] outcome in
                guard let verdict = CommandInterpreter.settle(CommandInterpreter.interpret(outcome, command: "TUR"), attempt: attempt)
                else {
                    send(p, attempt: attempt + 1)
                    return
                }
                print(
                    "result \(p.device.path) \(verdict.state.rawValue) after_ms=\(ms(reactor.now - sent)) deadline_ms=\(ms(timeout)) attempts=\(attempt) reason=\(verdict.reason)"
                )
                remaining -= 1
                if remaining == 0 { reactor.stop() }
            }
        }
        var ticks = 0
        var maxLate = Duration.zero
        func scheduleTick(_ at: Instant, every: Duration) {
            reactor.schedule(earliest: at, name: "tick") { [self] in
                ticks += 1
                maxLate = max(maxLate, reactor.now - at)
                scheduleTick(at + every, every: every)
            }
        }
        if let tick { scheduleTick(reactor.now + tick, every: tick) }
        for p in paths { send(p, attempt: 1) }
        if remaining > 0 { try reactor.run() }
        if tick != nil { print("ticks \(ticks) max_late_ms=\(ms(maxLate))") }
    }

    /// Keeps `depth` TURs in flight on every device for `seconds`; prints the rate and round-trip distribution.
    func bench(seconds: Int, depth: Int) throws {
        var rtts: [Int64] = []
        rtts.reserveCapacity(1 << 20)
        var errors = 0
        var outstanding = 0
        let start = reactor.now
        let end = start + .seconds(seconds)
        func send(_ p: Path) {
            let sent = reactor.now
            outstanding += 1
            p.submit(.testUnitReady) { [self] outcome in
                outstanding -= 1
                let now = reactor.now
                if case .completed(let r) = outcome, r.isGood { rtts.append((now - sent).nanosecondsClamped / 1000) } else { errors += 1 }
                if now < end { send(p) } else if outstanding == 0 { reactor.stop() }
            }
        }
        for p in paths { for _ in 0..<depth { send(p) } }
        if outstanding > 0 { try reactor.run() }
        let elapsed = Double((reactor.now - start).nanosecondsClamped) / 1e9
        rtts.sort()
        func pct(_ q: Double) -> Int64 { rtts.isEmpty ? 0 : rtts[min(rtts.count - 1, Int(Double(rtts.count) * q))] }
        print(
            "bench commands=\(rtts.count) errors=\(errors) elapsed_ms=\(Int(elapsed * 1000)) devices=\(paths.count) depth=\(depth)"
                + " per_second=\(Int(Double(rtts.count) / elapsed)) rtt_us min=\(rtts.first ?? 0) p50=\(pct(0.5)) p99=\(pct(0.99)) max=\(rtts.last ?? 0)"
        )
    }

    func close() { for p in paths { p.close() } }
}

/// `labtool tur [--timeout-ms N] [--tick-ms N] DEVICE...` and `labtool tur-bench SECONDS [--depth N] DEVICE...`.
func sgProbe(_ arguments: ArraySlice<String>, bench: Bool) {
    var timeout = Duration.seconds(2)
    var tick: Duration?
    var depth = 1
    var devices: [String] = []
    var args = arguments
    func number(_ option: String) -> Int {
        guard let v = args.popFirst().flatMap({ Int($0) }), v > 0 else { fail("\(option) needs a positive number") }
        return v
    }
    let benchSeconds = bench ? number("tur-bench") : nil
    while let a = args.popFirst() {
        switch a {
        case "--timeout-ms": timeout = .milliseconds(number(a))
        case "--tick-ms" where !bench: tick = .milliseconds(number(a))
        case "--depth" where bench: depth = min(number(a), SGDevice.maxInFlight)
        case _ where a.hasPrefix("-"): fail("unknown option \(a)")
        default: devices.append(a)
        }
    }
    if devices.isEmpty { fail("no device") }
    do {
        let probe = try Probe(devices: devices, timeout: timeout)
        if let benchSeconds { try probe.bench(seconds: benchSeconds, depth: depth) } else { try probe.check(tick: tick) }
        probe.close()
    } catch {
        fail("\(error)")
    }
}
