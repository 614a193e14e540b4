// Follows the path states of every multipath map from device-mapper events, whichever daemon drives
// them: DM_DEV_ARM_POLL on /dev/mapper/control in the reactor's epoll loop, then DM_LIST_DEVICES and a
// status ioctl per map whose event number moved. A table swap (a map created, or reloaded with paths
// added or removed) raises no DM event, only the kernel's `change` uevent for the dm disk: the watcher
// also listens to the kernel's uevents and re-reads that map. No process is spawned and nothing polls
// a CLI, so a change is timestamped (CLOCK_MONOTONIC) when the kernel reports it, within the loop's
// wakeup time.
import Glibc
import MultipathCore
import MultipathReactor
import MultipathSystem

/// A path's state as the watcher reports it.
enum WatchedState: String {
    /// `A` in the map's status: usable.
    case active = "A"
    /// `F`: failed, by the daemon's `fail_path` or by the kernel on an I/O error.
    case failed = "F"
    /// No longer in the map's table (reloaded without it), or the map was removed.
    case gone
}

/// One reported change. `path` is nil for a map-wide line (groups or queueing changed, map removed).
struct WatchedChange {
    var time: Instant
    var map: String
    var path: DevT?
    var state: WatchedState?
    var groups: String
    var queueing: String

    /// `<monotonic ns> <map> <path dev_t|-> <A|F|gone|-> groups=<A,E,...> queueing=<0|1|->`
    var line: String {
        "\(time.nanoseconds) \(map) \(path?.description ?? "-") \(state?.rawValue ?? "-") groups=\(groups) queueing=\(queueing)"
    }
}

final class MapWatcher {
    static let header = "# time (CLOCK_MONOTONIC ns), map, path dev_t (- for the map), A|F|gone, group states in table order, queueing I/O"

    private let reactor: Reactor
    private let control: DMControl
    private let uevents: UdevMonitor
    private let dm: DeviceMapper
    private var tracker = DMEventTracker()
    /// The last status read per map (name); a map whose table could not be read yet is absent.
    private var statuses: [String: MultipathStatus] = [:]
    private let output: FileDescriptor?
    /// Every change since the start, in order.
    private(set) var changes: [WatchedChange] = []

    /// Starts watching: writes the header and the current state of every map (timestamped now) to
    /// `outputPath` (truncated) when given. The header's second line pairs the monotonic clock with
    /// the wall clock, so that shell timestamps ($EPOCHREALTIME) convert to the lines' clock.
    init(reactor: Reactor, outputPath: String?) throws {
        self.reactor = reactor
        control = try DMControl()
        uevents = try UdevMonitor(source: .kernel)
        dm = DeviceMapper { level, message in if level <= .warning { printError("libdevmapper: \(message)") } }
        output = try outputPath.map { path throws(SystemError) in
            try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, mode: 0o644)
        }
        var wall = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        let now = reactor.now
        write(Self.header)
        write("# clock monotonic_ns=\(now.nanoseconds) realtime_ns=\(UInt64(wall.tv_sec) * 1_000_000_000 + UInt64(wall.tv_nsec))")
        try reactor.register(control.fileDescriptor, name: "dm control") { [unowned self] _ in self.refresh() }
        try reactor.register(uevents.fileDescriptor, name: "kernel uevents") { [unowned self] _ in self.uevent() }
        refresh()
    }

    deinit { output?.close() }

    /// The last change of `path`: nil when it never appeared.
    func latest(_ path: DevT) -> WatchedChange? { changes.last { $0.path == path } }

    /// The first change at or after `time` that put `path` in `state`.
    func first(_ path: DevT, _ state: WatchedState, notBefore time: Instant) -> WatchedChange? {
        changes.first { $0.path == path && $0.state == state && $0.time >= time }
    }

    /// Called when the control fd turns readable (and once at start). Re-arms first, so that an event
    /// arriving while the maps are read makes the fd readable again instead of being lost.
    private func refresh() {
        let now = reactor.now
        do {
            try control.armPoll()
            for change in tracker.update(try control.listDevices()) {
                switch change {
                case .appeared(let d), .event(let d, _):
                    guard d.uuid.map({ $0.hasPrefix(DMMapInfo.multipathUUIDPrefix) }) ?? true else { continue }
                    read(d.name, now)
                case .removed(let d):
                    mapGone(d.name, now)
                }
            }
        } catch {
            // A broken control fd is a lab failure, not something to watch through.
            fail("watch: \(error)")
        }
    }

    /// A dm disk's `change` (a table resumed): re-reads that map, after the device list (it may be new).
    private func uevent() {
        let now = reactor.now
        var changed: [DevT] = []
        do {
            while let e = try uevents.receive() {
                if e.sysname.hasPrefix("dm-"), let dev = e.devnum { changed.append(dev) }
            }
        } catch {
            fail("watch: \(error)")
        }
        guard !changed.isEmpty else { return }
        refresh()
        for d in tracker.known.values where changed.contains(d.devT) { read(d.name, now) }
    }

    private func read(_ map: String, _ now: Instant) {
        let status: MultipathStatus
        do { status = try dm.status(map) } catch {
            // No live table yet (being created), not multipath, or removed meanwhile: nothing to report.
            return
        }
        let old = statuses[map]
        statuses[map] = status
        let groups = status.groups.map(\.state.rawValue).joined(separator: ",")
        let queueing = status.isQueueingIO.map { $0 ? "1" : "0" } ?? "-"
        var before: [DevT: Bool] = [:]
        for p in old?.paths ?? [] { if let d = p.devT { before[d] = p.isActive } }
        var reported = false
        for p in status.paths {
            guard let d = p.devT else { continue }
            if before.removeValue(forKey: d) != p.isActive {
                emit(WatchedChange(time: now, map: map, path: d, state: p.isActive ? .active : .failed, groups: groups, queueing: queueing))
                reported = true
            }
        }
        for d in before.keys.sorted() {
            emit(WatchedChange(time: now, map: map, path: d, state: .gone, groups: groups, queueing: queueing))
            reported = true
        }
        let oldGroups = old?.groups.map(\.state.rawValue).joined(separator: ",")
        if !reported, oldGroups != groups || old?.isQueueingIO != status.isQueueingIO {
            emit(WatchedChange(time: now, map: map, path: nil, state: nil, groups: groups, queueing: queueing))
        }
    }

    private func mapGone(_ map: String, _ now: Instant) {
        guard let old = statuses.removeValue(forKey: map) else { return }
        for d in old.paths.compactMap(\.devT) {
            emit(WatchedChange(time: now, map: map, path: d, state: .gone, groups: "-", queueing: "-"))
        }
        emit(WatchedChange(time: now, map: map, path: nil, state: .gone, groups: "-", queueing: "-"))
    }

    private func emit(_ change: WatchedChange) {
        changes.append(change)
        write(change.line)
    }

    private func write(_ line: String) {
        guard let output else { return }
        var text = line + "\n"
        text.withUTF8 { _ = output.write(UnsafeRawBufferPointer($0)) }
    }
}

/// `labtool watch FILE`: writes path state changes to FILE until SIGTERM or SIGINT.
func watch(_ args: ArraySlice<String>) {
    guard let path = args.first, args.count == 1 else { fail(usage) }
    do {
        let reactor = try Reactor()
        let watcher = try MapWatcher(reactor: reactor, outputPath: path)
        for signo in [SIGTERM, SIGINT] { try reactor.onSignal(signo) { _ in reactor.stop() } }
        try reactor.run()
        withExtendedLifetime(watcher) {}
    } catch {
        fail("watch: \(error)")
    }
}
