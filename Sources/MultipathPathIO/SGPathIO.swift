import Glibc
import MultipathCore
import MultipathReactor
import MultipathSystem

/// The real `PathIO`: one `SGSource` per SCSI path (its sg fd in the reactor, one deadline timer; an
/// NVMe namespace has no sg node and none is looked for: its checker reads sysfs); directio
/// reads through one `DirectIOSource` (one AIO context, its eventfd in the reactor); NVMe admin
/// commands (prio ana) through one `NVMeAdminSource` (one io_uring, its fd in the reactor) on the
/// controller's char device, opened by the first and kept while it answers. `sgKernel` and `devRoot`
/// are test seams: the sg driver, and where block nodes are.
public final class SGPathIO: PathIO {
    private final class Device {
        /// The sg node: nil for an NVMe namespace, and for a SCSI device whose node could not be opened.
        var sg: SGSource?
        let isNVMe: Bool
        /// The block node, opened O_DIRECT by the first directio read.
        var directFD: OwnedFD?
        /// An NVMe namespace's controller (`nvme0`), and its char device once opened by `nvmeAdmin`.
        let controller: String?
        var controllerFD: OwnedFD?
        /// sysfs attributes read on every priority refresh and every probe of a failing path, kept open
        /// while the path exists (its sg node may come and go): see `deviceAttribute`.
        var attributes: [String: OwnedFD] = [:]
        let name: String
        init(name: String, isNVMe: Bool, controller: String?) {
            self.name = name
            self.isNVMe = isNVMe
            self.controller = controller
        }

        /// Closes every descriptor; commands still out end as `.deviceGone`. A directio read still out
        /// needs no descriptor: io_submit took its own reference to the file (fs/aio.c), which the
        /// kernel drops when the read ends, so the block fd is closed now, not leaked.
        func close() {
            for fd in attributes.values { fd.close() }
            attributes = [:]
            sg?.close()
            directFD?.close()
            directFD = nil
            controllerFD?.close()
            controllerFD = nil
        }
    }

    private let reactor: Reactor
    private let sysfs: Sysfs
    private let sgKernel: SGKernel
    private let devRoot: String
    private var devices: [DevT: Device] = [:]
    private var direct: DirectIOSource?
    private var admin: Result<NVMeAdminSource, SystemError>?
    /// One page, reused by every `deviceAttribute` read (a sysfs attribute is at most a page).
    private var attributeBuffer = [UInt8](repeating: 0, count: 4096)

    public init(reactor: Reactor, sysfs: Sysfs = Sysfs(), sgKernel: SGKernel = LinuxSGKernel(), devRoot: String = "/dev") {
        self.reactor = reactor
        self.sysfs = sysfs
        self.sgKernel = sgKernel
        self.devRoot = devRoot
    }

    deinit {
        for d in devices.values { d.close() }
    }

    public func attach(_ path: PathIdentity) -> String? {
        let device: Device
        if let d = devices[path.devT] {
            device = d
        } else {
            var controller: String?
            if path.transport.isNVMe, case .nvmeController(let c) = path.transportPort { controller = c }
            device = Device(name: path.name, isNVMe: path.transport.isNVMe, controller: controller)
            devices[path.devT] = device
            // Opened now, not at the path's first failure, so that what a path holds stays the same for
            // as long as it exists: its probes read `state` whenever it fails.
            if !device.isNVMe { _ = kept(device, "state") }
        }
        // A SCSI device without an sg node, or whose node went away (offline, hangup, a read error), is
        // opened afresh: it may be back. Its other descriptors stay.
        guard !device.isNVMe, device.sg?.isGone != false else { return nil }
        device.sg?.close()
        device.sg = nil
        guard let sg = TextFiles.list(sysfs.root + "/block/\(path.name)/device/scsi_generic").first else {
            return "\(path.name) has no sg device (is the sg module loaded?)"
        }
        do {
            let node = try SGDevice(path: "/dev/\(sg)", kernel: sgKernel)
            do {
                device.sg = try SGSource(node, reactor: reactor)
            } catch {
                node.close()
                throw error
            }
            return nil
        } catch {
            return "\(error)"
        }
    }

    public func submit(_ command: SCSICommand, to devT: DevT, timeout: Duration, completion: @escaping (CommandOutcome) -> Void) {
        guard let sg = devices[devT]?.sg else { return completion(.failed("\(devT) has no sg device")) }
        sg.submit(command, timeout: timeout, completion: completion)
    }

    public func directRead(_ devT: DevT, length: Int, timeout: Duration, completion: @escaping (DirectReadOutcome) -> Void) {
        guard let device = devices[devT] else { return completion(.failed("\(devT) is not attached")) }
        do {
            let direct = try directSource()
            if device.directFD == nil { device.directFD = OwnedFD(try DirectIOContext.open("\(devRoot)/\(device.name)")) }
            try direct.submitRead(fd: device.directFD!.descriptor, length: length, timeout: timeout, completion: completion)
        } catch {
            completion(.failed("\(error)"))
        }
    }

    private func directSource() throws(SystemError) -> DirectIOSource {
        if let direct { return direct }
        let source = try DirectIOSource(reactor: reactor)
        direct = source
        return source
    }

    /// The controller's fd is dropped after any answer but data (a failed open is tried again next time):
    /// a controller deleted and created again has a new char device behind the same name.
    public func nvmeAdmin(
        _ command: NVMeAdminCommand, to devT: DevT, timeout: Duration, completion: @escaping (NVMeAdminOutcome) -> Void
    ) {
        guard let device = devices[devT], let controller = device.controller else {
            return completion(.failed("\(devT) is not an attached NVMe namespace"))
        }
        do {
            let admin = try adminSource()
            if device.controllerFD == nil {
                device.controllerFD = OwnedFD(try NVMeAdminContext.openController("\(devRoot)/\(controller)"))
            }
            try admin.submit(command, controller: device.controllerFD!.descriptor, timeout: timeout) { [weak device] outcome in
                switch outcome {
                case .completed: break
                case .status, .failed, .timedOut:
                    device?.controllerFD?.close()
                    device?.controllerFD = nil
                }
                completion(outcome)
            }
        } catch {
            completion(.failed("\(error)"))
        }
    }

    /// Set up once: a kernel without io_uring passthrough (before 5.19, or io_uring disabled) fails
    /// every command with the same reason, and prio ana gives no priority.
    private func adminSource() throws(SystemError) -> NVMeAdminSource {
        if admin == nil {
            do { admin = .success(try NVMeAdminSource(reactor: reactor)) } catch { admin = .failure(error) }
        }
        return try admin!.get()
    }

    /// Read from offset 0 of a descriptor kept open while the path is attached: sysfs shows the
    /// attribute afresh on such a read, and one pread replaces an open, two reads and a close on every
    /// priority refresh (most of an idle check's system calls under `prio sysfs`).
    public func deviceAttribute(_ devT: DevT, _ name: String) -> [UInt8]? {
        guard let device = devices[devT], let fd = kept(device, name) else { return nil }
        let r = attributeBuffer.withUnsafeMutableBytes { fd.descriptor.read(into: $0, atOffset: 0) }
        guard case .success(let n) = r else {
            device.attributes.removeValue(forKey: name)?.close()
            return nil
        }
        return Array(attributeBuffer[..<n])
    }

    /// The device's attribute `name`, opened the first time it is asked for and kept.
    private func kept(_ device: Device, _ name: String) -> OwnedFD? {
        if let fd = device.attributes[name] { return fd }
        let fd = try? OwnedFD.open(sysfs.root + "/block/\(device.name)/device/\(name)", O_RDONLY)
        device.attributes[name] = fd
        return fd
    }

    public func detach(_ devT: DevT) {
        devices.removeValue(forKey: devT)?.close()
    }
}
