import MultipathCore
import MultipathSystem

/// Persistent reservation commands on the path edge, for the core's `registerReservation` and
/// `readReservationKeys`: READ KEYS, then REGISTER AND IGNORE EXISTING KEY, one after the other through
/// `PathIO` (asynchronous sg), each sent again on UNIT ATTENTION as 0.9.4 does. Nothing waits.
final class Reservations {
    private let io: PathIO
    private let host: DaemonHost
    private let model: DaemonModel

    /// 0.9.4's PR commands time out after 2 s (libmpathpersist's TIMEOUT).
    static let timeout = Duration.seconds(2)

    init(io: PathIO, host: DaemonHost, model: DaemonModel) {
        self.io = io
        self.host = host
        self.model = model
    }

    /// The prkeys file as it is now (`reservation_key file` reads the map's key from it).
    func prkeys() -> PRKeysFile { PRKeysFile(host.readFile(model.engine.config.prkeysFile)) }

    /// 0.9.4's mpath_pr_event_handler_fn: our key is registered on the path when READ KEYS through it
    /// lists the key (registered through another path), so that this I_T nexus holds it too.
    func register(_ wwid: WWID, on devT: DevT, _ done: @escaping (ReservationRegistration) -> Void) {
        guard let key = model.engine.reservationKey(wwid, prkeys: prkeys()), key.value != 0 else { return done(.noKey) }
        send(PersistentReservation.readKeys, to: devT) { [self] answer in
            let keys: [UInt64]
            switch answer {
            case .failure(let f): return done(.readKeysFailed(f.reason))
            case .success(let r):
                guard let listed = PersistentReservation.keys(inReadKeys: r.data) else {
                    return done(.readKeysFailed("the answer is too short"))
                }
                keys = listed
            }
            guard !keys.isEmpty else { return done(.noKeysRegistered) }
            guard keys.contains(key.value) else { return done(.keyNotFound) }
            send(PersistentReservation.registerAndIgnoreExistingKey(key), to: devT) { answer in
                switch answer {
                case .success: done(.registered)
                case .failure(let f): done(.registerFailed(f.reason))
                }
            }
        }
    }

    /// 0.9.4's update_map_pr: READ KEYS through the first path that answers; whether our key is listed.
    func readKeys(_ wwid: WWID, through devTs: [DevT], _ done: @escaping (Bool) -> Void) {
        guard let key = model.engine.reservationKey(wwid, prkeys: prkeys()), key.value != 0, let devT = devTs.first else {
            return done(false)
        }
        send(PersistentReservation.readKeys, to: devT) { [self] answer in
            guard case .success(let r) = answer, let keys = PersistentReservation.keys(inReadKeys: r.data) else {
                return readKeys(wwid, through: Array(devTs.dropFirst()), done)
            }
            done(keys.contains(key.value))
        }
    }

    /// Why a PR command failed, for the log.
    private struct Failure: Error {
        let reason: String
    }

    private func send(
        _ command: SCSICommand, to devT: DevT, retriesLeft: Int = PersistentReservation.maxRetries,
        _ done: @escaping (Result<SCSIResult, Failure>) -> Void
    ) {
        io.submit(command, to: devT, timeout: Self.timeout) { [self] outcome in
            switch PersistentReservation.step(outcome, retriesLeft: retriesLeft) {
            case .done(let r): done(.success(r))
            case .failed(let why): done(.failure(Failure(reason: why)))
            case .sendAgain: send(command, to: devT, retriesLeft: retriesLeft - 1, done)
            }
        }
    }
}
