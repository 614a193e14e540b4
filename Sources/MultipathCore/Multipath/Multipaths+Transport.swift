/// Transport events: a transport that is back (an iSCSI session logged in again, an FC remote port
/// online again, an NVMe controller live again) has its failed paths probed at once, not at their next
/// re-probe slot.
///
/// Neither an iSCSI session's nor an FC remote port's return comes with an event a daemon can wait on (no
/// uevent, no sysfs_notify, no netlink multicast for software iSCSI's relogin; docs/transport-events.md),
/// so the daemon reads the transport's state attribute, cheaply and often, while paths behind it are
/// failed (`transportToWatch`), and hands each reading to `transportRead`; a source that does announce a
/// return (NVMe's `NVME_EVENT=connected` uevent) may call `transportReturned` directly. Only under
/// `failed_path_reprobe_ms` (0.9.4 finds the path at its next check).
extension Multipaths {
    /// How often a watched transport's state is read: a tenth of `failed_path_reprobe_ms` (at least
    /// 1 ms), so that its return is seen well before the next re-probe; nil when re-probing is off.
    public var transportWatchPeriod: Duration? {
        config.failedPathReprobe.map { max($0 / 10, .milliseconds(1)) }
    }

    /// The transport to watch for the path: its port, when the path is failed (by its checker or in its
    /// map), the port has a state to read, and re-probing is on.
    public func transportToWatch(_ devT: DevT) -> TransportPort? {
        guard transportWatchPeriod != nil, let p = paths[devT], let port = p.identity.transportPort,
            port.stateAttribute != nil, awaitsReturn(p)
        else { return nil }
        return port
    }

    /// Whether a failed path is still behind the port: once none is, the daemon stops reading it and
    /// calls `transportUnwatched`.
    public func awaitsReturn(_ port: TransportPort) -> Bool {
        paths.values.contains { $0.identity.transportPort == port && awaitsReturn($0) }
    }

    /// The port is no longer read: forget what it last showed.
    public mutating func transportUnwatched(_ port: TransportPort) {
        transportsDown.remove(port)
    }

    /// The port's state as the daemon read it (nil: unreadable). Ready after a reading that was not is
    /// the transport's return; ready seen first (the path failed while its transport stayed up) is not.
    public mutating func transportRead(_ port: TransportPort, state: String?) -> [MultipathAction] {
        guard let state, port.isReady(state) else {
            transportsDown.insert(port)
            return []
        }
        guard transportsDown.remove(port) != nil else { return [] }
        return transportReturned(port)
    }

    /// The transport is back: each failed path behind it is probed now (one whose probe is out is probed
    /// again as soon as it ends); a path the operator failed stays failed.
    public mutating func transportReturned(_ port: TransportPort) -> [MultipathAction] {
        let behind = paths.values.filter { $0.identity.transportPort == port && awaitsReturn($0) }.map(\.devT)
        var actions: [MultipathAction] = []
        for devT in discovery.sorted(behind) where !admin.failedByOperator.contains(devT) {
            actions.append(.note("\(paths[devT]!.name): \(port.name) is back: probing now"))
            switch paths[devT]!.health.probe {
            case .idle:
                paths[devT]!.health.probe = .inFlight
                actions.append(.check(devT))
            case .inFlight, .inFlightRecheck:
                paths[devT]!.health.probe = .inFlightRecheck
            }
        }
        return actions
    }

    private func awaitsReturn(_ p: MultipathPath) -> Bool {
        Self.isFailing(p.health.state) || p.health.membership == .failed
    }
}

extension TransportPort {
    /// Its name in sysfs (`session3`, `rport-5:0-2`, `nvme0`).
    public var name: String {
        switch self {
        case .fcRemotePort(let n), .iscsiSession(let n), .sasEndDevice(let n), .nvmeController(let n): n
        }
    }

    /// The attribute that says whether the transport carries I/O, relative to the sysfs root; nil for a
    /// SAS end device, which has none.
    public var stateAttribute: String? {
        switch self {
        case .iscsiSession: "\(directory)/state"
        case .fcRemotePort: "\(directory)/port_state"
        case .nvmeController: "\(directory)/state"
        case .sasEndDevice: nil
        }
    }

    /// Whether that attribute's text says the transport carries I/O: an iSCSI session `LOGGED_IN` (not
    /// `FAILED` in recovery, nor `FREE` once recovery_tmo ran out); an FC remote port `Online` or
    /// `Marginal` (which still carries I/O), not `Blocked` within dev_loss_tmo; an NVMe controller `live`,
    /// not `connecting` or `resetting`.
    public func isReady(_ state: String) -> Bool {
        switch self {
        case .iscsiSession: state == "LOGGED_IN"
        case .fcRemotePort: state == "Online" || state == "Marginal"
        case .nvmeController: state == "live"
        case .sasEndDevice: true
        }
    }
}
