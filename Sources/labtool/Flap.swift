// Flaps one path by writing sysfs and measures how long the running multipath daemon takes to show
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
    /// `1` into /sys/block/sdX/device/delete, then `- - -` into the host's scan: the path leaves the map
    /// (gone) and comes back, possibly as another sdX, and is added active (A).
    case delete

    var kinds: (away: String, back: String) { self == .offline ? ("fail", "reinstate") : ("remove", "add") }
    var awayState: WatchedState { self == .offline ? .failed : .gone }
}

struct FlapOptions {
    var disk = ""
    var mode = FlapMode.offline
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

final class Flapper {
    let options: FlapOptions
    let reactor: Reactor
    let watcher: MapWatcher
    let sysfs = Sysfs()
    let hctl: HCTL
    let csv: FileDescriptor?
    var away = Samples(), back = Samples()

    init(_ options: FlapOptions) throws {
        self.options = options
        reactor = try Reactor()
        watcher = try MapWatcher(reactor: reactor, outputPath: options.logPath)
        guard let hctl = sysfs.hctl(ofDisk: options.disk) else { fail("flap: \(options.disk) is not a SCSI disk") }
        self.hctl = hctl
        csv = try options.csvPath.map { path throws(SystemError) in
            try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_APPEND, mode: 0o644)
        }
        var st = stat()
        if let csv, fstat(csv.rawValue, &st) == 0, st.st_size == 0 {
            append("label,cycle,kind,path,action_ns,seen_ns,latency_us")
        }
    }

    deinit { csv?.close() }

    /// The disk now at the flapped path's SCSI address (after a delete and rescan it may have another name).
    func currentDevT() -> DevT? {
        guard let dir = opendir("/sys/bus/scsi/devices/\(hctl)/block") else { return nil }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if !name.hasPrefix("."), let dev = sysfs.text("block/\(name)/dev").flatMap({ DevT($0) }) { return dev }
        }
        return nil
    }

    /// Runs the loop until `found` returns a time or `deadline` passes. Polls `found` at least every
    /// 10 ms, since a rescanned disk appears in sysfs without waking the loop.
    func wait(until deadline: Instant, for found: () -> Instant?) throws -> Instant? {
        while true {
            if let t = found() { return t }
            let now = reactor.now
            if now >= deadline { return nil }
            try reactor.runOnce(maxWait: min(deadline - now, .milliseconds(10)))
        }
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

    func record(_ cycle: Int, _ kind: String, _ path: DevT?, _ action: Instant, _ seen: Instant?, into samples: inout Samples) {
        let us = seen.map { ($0 - action).nanosecondsClamped / 1000 }
        if let us { samples.values.append(us) } else { samples.missed += 1 }
        append("\(options.label),\(cycle),\(kind),\(path?.description ?? "-"),\(action.nanoseconds),\(seen.map { "\($0.nanoseconds)" } ?? ""),\(us.map { "\($0)" } ?? "")")
    }

    /// Runs the loop (the watcher keeps recording) for a random 0 to `hold`.
    func pause() throws {
        let ms = Int64.random(in: 0..<max(1, options.hold.nanosecondsClamped / 1_000_000))
        let end = reactor.now + .milliseconds(ms)
        _ = try wait(until: end) { nil }
    }

    func run() throws {
        let o = options
        guard var dev = currentDevT() else { fail("flap: no disk at \(hctl)") }
        let start = reactor.now
        guard try wait(until: start + o.timeout, for: { watcher.latest(dev)?.state == .active ? reactor.now : nil }) != nil else {
            fail("flap: \(o.disk) (\(dev)) not active in any map within \(o.timeout)")
        }
        let kinds = o.mode.kinds
        for cycle in 1...o.count {
            let awayAt = reactor.now
            switch o.mode {
            case .offline: writeSysfs("/sys/block/\(o.disk)/device/state", "offline")
            case .delete: writeSysfs("/sys/bus/scsi/devices/\(hctl)/delete", "1")
            }
            let gone = try wait(until: awayAt + o.timeout) { watcher.first(dev, o.mode.awayState, notBefore: awayAt)?.time }
            record(cycle, kinds.away, dev, awayAt, gone, into: &away)
            try pause()

            let backAt = reactor.now
            var now: DevT? = dev
            switch o.mode {
            case .offline: writeSysfs("/sys/block/\(o.disk)/device/state", "running")
            case .delete:
                writeSysfs("/sys/class/scsi_host/host\(hctl.host)/scan", "\(hctl.channel) \(hctl.target) \(hctl.lun)")
                now = nil
            }
            let active = try wait(until: backAt + o.timeout) {
                now = now ?? currentDevT()
                return now.flatMap { watcher.first($0, .active, notBefore: backAt)?.time }
            }
            record(cycle, kinds.back, now, backAt, active, into: &back)
            if let now { dev = now } else { fail("flap: no disk at \(hctl) \(o.timeout) after the rescan") }
            try pause()
        }
        print("flap \(o.label) \(away.summary(kinds.away))")
        print("flap \(o.label) \(back.summary(kinds.back))")
    }
}

/// `labtool flap DISK [options]`: see `usage`.
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
        case "--mode": guard let m = FlapMode(rawValue: value(a)) else { fail("--mode is offline or delete") }; o.mode = m
        case "--count": o.count = number(a)
        case "--hold-ms": o.hold = .milliseconds(number(a))
        case "--timeout-ms": o.timeout = .milliseconds(number(a))
        case "--label": o.label = value(a)
        case "--csv": o.csvPath = value(a)
        case "--log": o.logPath = value(a)
        case _ where a.hasPrefix("-"): fail("flap: unknown option \(a)")
        default: guard o.disk.isEmpty else { fail(usage) }; o.disk = a
        }
    }
    guard !o.disk.isEmpty else { fail(usage) }
    do { try Flapper(o).run() } catch { fail("flap: \(error)") }
}
