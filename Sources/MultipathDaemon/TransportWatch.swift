import MultipathCore
import MultipathReactor

/// Transport events on the loop: while paths are failed behind a transport that shows its state (an
/// iSCSI session, an FC remote port), reads that state every `Multipaths.transportWatchPeriod` and hands
/// each reading to the core, which re-probes the transport's failed paths at once when it is back. The
/// kernel sends nothing a daemon could wait on when such a transport returns (docs/transport-events.md);
/// a reading is one bounded sysfs read that does no I/O to the device, so a dead transport cannot hold
/// the loop. It cannot fail: an unreadable state reads as not ready, and the paths' own re-probes go on.
final class TransportWatch {
    private let reactor: Reactor
    private let model: DaemonModel
    private let sysfs: SysfsReader
    private let perform: ([MultipathAction]) -> Void
    private var watched: Set<TransportPort> = []
    private var timer: TimerToken?

    init(reactor: Reactor, model: DaemonModel, sysfs: @escaping SysfsReader, perform: @escaping ([MultipathAction]) -> Void) {
        self.reactor = reactor
        self.model = model
        self.sysfs = sysfs
        self.perform = perform
    }

    /// The path's next check was scheduled (a failed path's re-probe among them): watch its transport if
    /// the core says to.
    func checkScheduled(_ devT: DevT) {
        guard let port = model.engine.transportToWatch(devT) else { return }
        watched.insert(port)
        arm()
    }

    private func arm() {
        guard timer == nil, let period = model.engine.transportWatchPeriod else { return }
        let now = reactor.now
        timer = reactor.schedule(earliest: now + period / 2, latest: now + period, name: "transport watch") { [unowned self] in
            timer = nil
            readAll()
        }
    }

    private func readAll() {
        for port in watched.sorted(by: { $0.name < $1.name }) {
            guard model.engine.awaitsReturn(port) else {
                watched.remove(port)
                model.engine.transportUnwatched(port)
                continue
            }
            let state = port.stateAttribute.flatMap(sysfs).map(sysfsText)
            perform(model.engine.transportRead(port, state: state))
        }
        if !watched.isEmpty { arm() }
    }
}
