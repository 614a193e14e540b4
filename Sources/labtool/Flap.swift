// Flaps paths by writing sysfs and measures how long the running multipath daemon takes to show
// each change in DM, with a `MapWatcher` in the same loop: both times come from CLOCK_MONOTONIC, the
// write's taken just before the write(2), the change's when the DM event wakes the loop.
import Glibc
import MultipathCore
import MultipathReactor
import MultipathSystem

/// How a path is taken away and given back.
enum FlapMode: String {
    /// `offline`, then `running`, into /sys/block/sdX/device/state: the path fails (F) and is reinstated (A).
    case offline
    /// `1` into the SCSI device's `delete`, then its channel, target and LUN into its host's `scan`: the
    /// path leaves the map (gone) and comes back, possibly as another sdX, and is added active (A).
    case delete

    var kinds: (away: String, back: String) { self == .offline ? ("fail", "reinstate") : ("remove", "add") }
    var awayState: WatchedState { self == .offline ? .failed : .gone }
}

struct FlapOptions {
    var disks: [String] = []
    var mode = FlapMode.offline
    /// Cycles per disk.
    var count = 20
    /// After the daemon's reaction, each state is held a random 0 to `hold` more, so that the writes fall
    /// at random phases of the daemon's checker interval (a fixed hold would measure one phase only).
    var hold = Duration.seconds(1)
    /// How long to wait for the daemon's reaction before counting the sample as missed.
    var timeout = Duration.seconds(30)
    var label = "flap"
    var csvPath: String?
    var logPath: String?
}

/// Latencies of one kind, in microseconds, with nearest-rank percentiles.
struct Samples {
    var values: [Int64] = []
    var missed = 0

    func percentile(_ q: Double, _ sorted: [Int64]) -> Int64 {
        sorted[max(0, min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }

    func summary(_ name: String) -> String {
        guard !values.isEmpty else { return "\(name) n=0 missed=\(missed)" }
        let s = values.sorted()
        func ms(_ us: Int64) -> String { "\(us / 1000).\(us % 1000 / 100)" }
        return "\(name) n=\(s.count) missed=\(missed) ms min=\(ms(s[0])) median=\(ms(percentile(0.5, s)))"
            + " p99=\(ms(percentile(0.99, s))) max=\(ms(s[s.count - 1]))"
    }
}

/// One disk's cycles: away, wait for the daemon's reaction, hold, back, wait, hold, and again.
struct FlappedDisk {
    enum Phase {
        /// Before the first cycle: until the path is active in a map.
        case starting(deadline: Instant)
        /// The fault (`away`) or the repair was written at `at`; waiting for the daemon.
        case awaiting(away: Bool, at: Instant)
        /// Holding the current state until `until`; `away` is the next write.
        case holding(until: Instant, away: Bool)
        case done
    }

    var disk: String
    let hctl: HCTL
    /// The path's device number; nil after a delete until the rescan brought the disk back.
    var dev: DevT?
    var cycle = 0
    var phase: Phase
}

final class Flapper {
    let options: FlapOptions
    let reactor: Reactor
    let watcher: MapWatcher
    let sysfs = Sysfs()
    var disks: [FlappedDisk] = []
    let csv: FileDescriptor?
    var away = Samples(), back = Samples()

    init(_ options: FlapOptions) throws {
        self.options = options
        reactor = try Reactor()
        watcher = try MapWatcher(reactor: reactor, outputPath: options.logPath)
        csv = try options.csvPath.map { path throws(SystemError) in
            try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_APPEND, mode: 0o644)
        }
        var st = stat()
        if let csv, fstat(csv.rawValue, &st) == 0, st.st_size == 0 {
            append("label,cycle,kind,path,action_ns,seen_ns,latency_us")
        }
        let start = reactor.now
        for disk in options.disks {
            guard let hctl = sysfs.hctl(ofDisk: disk), let dev = currentDevT(of: hctl) else { fail("flap: \(disk) is not a SCSI disk") }
            disks.append(FlappedDisk(disk: disk, hctl: hctl, dev: dev, phase: .starting(deadline: start + options.timeout)))
        }
    }

    deinit { csv?.close() }

    /// The disk now at `hctl` (after a delete and rescan it may have another name).
    func currentDevT(of hctl: HCTL) -> DevT? {
        guard let dir = opendir("/sys/bus/scsi/devices/\(hctl)/block") else { return nil }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if !name.hasPrefix("."), let dev = sysfs.text("block/\(name)/dev").flatMap({ DevT($0) }) { return dev }
        }
        return nil
    }

    /// Writes `value` and a newline, as `echo` does: the SCSI `state` attribute accepts nothing else.
    func writeSysfs(_ path: String, _ value: String) {
        do {
            let fd = try FileDescriptor.open(path, O_WRONLY)
            defer { fd.close() }
            var text = value + "\n"
            _ = try text.withUTF8 { fd.write(UnsafeRawBufferPointer($0)) }.get("write \(path)")
        } catch {
            fail("flap: \(error)")
        }
    }

    func append(_ line: String) {
        guard let csv else { return }
        var text = line + "\n"
        text.withUTF8 { _ = csv.write(UnsafeRawBufferPointer($0)) }
    }

    func record(_ d: FlappedDisk, away isAway: Bool, _ action: Instant, _ seen: Instant?) {
        let us = seen.map { ($0 - action).nanosecondsClamped / 1000 }
        if isAway { add(us, to: &away) } else { add(us, to: &back) }
        let kind = isAway ? options.mode.kinds.away : options.mode.kinds.back
        append(
            "\(options.label),\(d.cycle),\(kind),\(d.dev?.description ?? "-"),\(action.nanoseconds),\(seen.map { "\($0.nanoseconds)" } ?? ""),\(us.map { "\($0)" } ?? "")"
        )
    }

    private func add(_ us: Int64?, to samples: inout Samples) {
        if let us { samples.values.append(us) } else { samples.missed += 1 }
    }

    /// Writes the fault or the repair for `d`; returns the time taken just before the write.
    func act(_ d: inout FlappedDisk, away isAway: Bool) -> Instant {
        let at = reactor.now
        switch (options.mode, isAway) {
        case (.offline, _): writeSysfs("/sys/block/\(d.disk)/device/state", isAway ? "offline" : "running")
        case (.delete, true): writeSysfs("/sys/bus/scsi/devices/\(d.hctl)/delete", "1")
        case (.delete, false):
            writeSysfs("/sys/class/scsi_host/host\(d.hctl.host)/scan", "\(d.hctl.channel) \(d.hctl.target) \(d.hctl.lun)")
            d.dev = nil
        }
        return at
    }

    func holdUntil() -> Instant {
        reactor.now + .milliseconds(Int64.random(in: 0..<max(1, options.hold.nanosecondsClamped / 1_000_000)))
    }

    /// Moves `d` on as far as the watcher's changes allow.
    func step(_ d: inout FlappedDisk) {
        let now = reactor.now
        switch d.phase {
        case .starting(let deadline):
            if let dev = d.dev, watcher.latest(dev)?.state == .active {
                d.phase = .holding(until: now, away: true)
            } else if now >= deadline {
                fail("flap: \(d.disk) (\(d.dev?.description ?? "-")) not active in any map within \(options.timeout)")
            }
        case .awaiting(let isAway, let at):
            if d.dev == nil { d.dev = currentDevT(of: d.hctl) }
            let seen = d.dev.flatMap { watcher.first($0, isAway ? options.mode.awayState : .active, notBefore: at)?.time }
            guard seen != nil || now >= at + options.timeout else { return }
            record(d, away: isAway, at, seen)
            if d.dev == nil { fail("flap: no disk at \(d.hctl) \(options.timeout) after the rescan") }
            d.phase = .holding(until: holdUntil(), away: !isAway)
        case .holding(let until, let isAway):
            guard now >= until else { return }
            if isAway {
                guard d.cycle < options.count else {
                    d.phase = .done
                    return
                }
                d.cycle += 1
            }
            d.phase = .awaiting(away: isAway, at: act(&d, away: isAway))
        case .done:
            return
        }
    }

    /// Runs every disk's cycles in one loop (the watcher records meanwhile). Polls at least every 10 ms,
    /// since a rescanned disk appears in sysfs without waking the loop.
    func run() throws {
        while disks.contains(where: { if case .done = $0.phase { false } else { true } }) {
            for i in disks.indices { step(&disks[i]) }
            try reactor.runOnce(maxWait: .milliseconds(10))
        }
        let kinds = options.mode.kinds
        print("flap \(options.label) \(away.summary(kinds.away))")
        print("flap \(options.label) \(back.summary(kinds.back))")
    }
}

/// `labtool flap DISK... [options]`: see `usage`.
func flap(_ arguments: ArraySlice<String>) {
    var o = FlapOptions()
    var args = arguments
    func value(_ option: String) -> String {
        guard let v = args.popFirst() else { fail("\(option) needs a value") }
        return v
    }
    func number(_ option: String) -> Int {
        guard let n = Int(value(option)), n > 0 else { fail("\(option) needs a positive number") }
        return n
    }
    while let a = args.popFirst() {
        switch a {
        case "--mode":
            guard let m = FlapMode(rawValue: value(a)) else { fail("--mode is offline or delete") }
            o.mode = m
        case "--count": o.count = number(a)
        case "--hold-ms": o.hold = .milliseconds(number(a))
        case "--timeout-ms": o.timeout = .milliseconds(number(a))
        case "--label": o.label = value(a)
        case "--csv": o.csvPath = value(a)
        case "--log": o.logPath = value(a)
        case _ where a.hasPrefix("-"): fail("flap: unknown option \(a)")
        default: o.disks.append(a)
        }
    }
    guard !o.disks.isEmpty else { fail(usage) }
    do { try Flapper(o).run() } catch { fail("flap: \(error)") }
}
