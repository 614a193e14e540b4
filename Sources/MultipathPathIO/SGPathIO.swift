import Glibc
import MultipathCore
import MultipathReactor
import MultipathSystem

/// The real `PathIO`: one `SGDevice` per path, its fd in the reactor and one timer at its earliest
/// deadline; directio reads through one `DirectIOContext` whose eventfd is in the reactor.
public final class SGPathIO: PathIO {
    private final class Device {
        let sg: SGDevice
        var source: SourceToken?
        var timer: TimerToken?
        var directFD: FileDescriptor?
        /// sysfs attributes read on every priority refresh, kept open: see `deviceAttribute`.
        var attributes: [String: FileDescriptor] = [:]
        let name: String
        init(sg: SGDevice, name: String) {
            self.sg = sg
            self.name = name
        }
        var blockNode: String { "/dev/\(name)" }
    }

    private let reactor: Reactor
    private let sysfs: Sysfs
    private var devices: [DevT: Device] = [:]
    private var direct: DirectIOContext?
    /// One page, reused by every `deviceAttribute` read (a sysfs attribute is at most a page).
    private var attributeBuffer = [UInt8](repeating: 0, count: 4096)
    private var directTimer: TimerToken?

    public init(reactor: Reactor, sysfs: Sysfs = Sysfs()) {
        self.reactor = reactor
        self.sysfs = sysfs
    }

    public func attach(_ path: PathIdentity) -> String? {
        // A device that went away (offline, hangup) is opened afresh: it may be back.
        if let d = devices[path.devT] {
            if !d.sg.isGone { return nil }
            detach(path.devT)
        }
        guard let sg = TextFiles.list(sysfs.root + "/block/\(path.name)/device/scsi_generic").first else {
            return "\(path.name) has no sg device (is the sg module loaded?)"
        }
        do {
            let device = Device(sg: try SGDevice(path: "/dev/\(sg)"), name: path.name)
            device.source = try reactor.register(device.sg.fd!, name: "/dev/\(sg)") { [unowned self, unowned device] ready in
                if !ready.isDisjoint(with: [.hangup, .error]) { device.sg.handleHangup() }
                if ready.contains(.readable) { try device.sg.handleReadable() }
                arm(device)
                if device.sg.isGone, let source = device.source {
                    reactor.deregister(source)
                    device.source = nil
                }
            }
            devices[path.devT] = device
            return nil
        } catch {
            return "\(error)"
        }
    }

    public func submit(_ command: SCSICommand, to devT: DevT, timeout: Duration, completion: @escaping (CommandOutcome) -> Void) {
        guard let device = devices[devT] else { return completion(.failed("\(devT) has no sg device")) }
        do {
            try device.sg.submit(command, timeout: timeout, now: reactor.now, completion: completion)
        } catch {
            completion(error.outcome)
        }
        arm(device)
    }

    /// One timer per device, at its earliest deadline.
    private func arm(_ device: Device) {
        guard let deadline = device.sg.earliestDeadline else {
            if let t = device.timer { reactor.cancel(t) }
            device.timer = nil
            return
        }
        if let t = device.timer { return reactor.reschedule(t, earliest: deadline) }
        device.timer = reactor.schedule(earliest: deadline, name: "\(device.sg.path) deadline") { [unowned self, unowned device] in
            device.timer = nil
            device.sg.expire(now: reactor.now)
            arm(device)
        }
    }

    public func directRead(_ devT: DevT, length: Int, timeout: Duration, completion: @escaping (DirectReadOutcome) -> Void) {
        guard let device = devices[devT] else { return completion(.failed("\(devT) is not attached")) }
        do {
            let context = try directContext()
            if device.directFD == nil { device.directFD = try DirectIOContext.open(device.blockNode) }
            try context.submitRead(fd: device.directFD!, length: length, timeout: timeout, now: reactor.now, completion: completion)
            armDirect()
        } catch {
            completion(.failed("\(error)"))
        }
    }

    private func directContext() throws(SystemError) -> DirectIOContext {
        if let direct { return direct }
        let context = try DirectIOContext()
        try reactor.register(context.eventFD, name: "directio") { [unowned self] _ in
            try context.handleReadable()
            armDirect()
        }
        direct = context
        return context
    }

    private func armDirect() {
        if let t = directTimer { reactor.cancel(t) }
        directTimer = nil
        guard let direct, let deadline = direct.earliestDeadline else { return }
        directTimer = reactor.schedule(earliest: deadline, name: "directio deadline") { [unowned self] in
            directTimer = nil
            direct.expire(now: reactor.now)
            armDirect()
        }
    }

    /// Read from offset 0 of a descriptor kept open while the path is attached: sysfs shows the
    /// attribute afresh on such a read, and one pread replaces an open, two reads and a close on every
    /// priority refresh (most of an idle check's system calls under `prio sysfs`).
    public func deviceAttribute(_ devT: DevT, _ name: String) -> [UInt8]? {
        guard let device = devices[devT] else { return nil }
        if device.attributes[name] == nil {
            guard let fd = try? FileDescriptor.open(sysfs.root + "/block/\(device.name)/device/\(name)", O_RDONLY) else { return nil }
            device.attributes[name] = fd
        }
        let r = attributeBuffer.withUnsafeMutableBytes { device.attributes[name]!.read(into: $0, atOffset: 0) }
        guard case .success(let n) = r else {
            device.attributes.removeValue(forKey: name)?.close()
            return nil
        }
        return Array(attributeBuffer[..<n])
    }

    public func detach(_ devT: DevT) {
        guard let device = devices.removeValue(forKey: devT) else { return }
        for fd in device.attributes.values { fd.close() }
        if let s = device.source { reactor.deregister(s) }
        if let t = device.timer { reactor.cancel(t) }
        device.sg.close()
        // A directio read still out keeps using the fd number until it ends; closing it is what the
        // kernel then completes against, so close only when nothing is out.
        if let fd = device.directFD, direct?.inFlight ?? 0 == 0 { fd.close() }
    }
}
