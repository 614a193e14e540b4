/// Reads one sysfs file by its path relative to the sysfs root (`devices/.../block/sdc/size`);
/// nil when the file is absent or unreadable. The edge passes `Sysfs.read`, tests pass a dictionary.
public typealias SysfsReader = (String) -> [UInt8]?

/// Why a block device uevent does not describe a path.
public enum PathRejection: Error, Hashable, Sendable, CustomStringConvertible {
    case notBlockDevice(subsystem: String)
    case partition(String)
    /// A device-mapper device (our own maps among them) is never a path.
    case deviceMapper(String)
    /// Neither DEVNAME nor DEVPATH names the device.
    case noKernelName
    /// MAJOR/MINOR are missing or malformed and sysfs `dev` does not say either.
    case noDevT(String)
    /// An `nvme` device that is not one controller's namespace (`nvmeXnY` under controller `nvmeX`): a
    /// hidden path (`nvmeXcYnZ`) or the head of native NVMe multipath, which 0.9.4 skips too.
    case notNVMeNamespace(String)

    public var description: String {
        switch self {
        case .notBlockDevice(let s): "not a block device (subsystem \(s))"
        case .partition(let n): "\(n) is a partition"
        case .deviceMapper(let n): "\(n) is a device-mapper device"
        case .noKernelName: "no DEVNAME or DEVPATH"
        case .noDevT(let n): "\(n) has no valid MAJOR/MINOR"
        case .notNVMeNamespace(let n):
            "\(n) is not the namespace of one NVMe controller (native NVMe multipath? boot with nvme_core.multipath=N)"
        }
    }
}

/// What a path is decided from: its uevent properties and the sysfs attributes the core asked for
/// (`attributesNeeded`). The edge reads them; `PathIdentity.identify` and the checker choice decide
/// from this value alone, however often they look.
public struct PathFacts: Sendable {
    public let properties: [String: String]
    /// By path relative to the sysfs root; nil: asked for and absent.
    public private(set) var sysfs: [String: [UInt8]?] = [:]

    public init(properties: [String: String]) {
        self.properties = properties
        device = Self.device(properties)
    }

    public init(_ event: Uevent) {
        var properties: [String: String] = [:]
        for (name, value) in event.properties { properties[name] = value }
        self.init(properties: properties)
    }

    /// The facts, with every attribute the core asks for read through `read` (at most two rounds: an
    /// FC device's host and target names are asked for once its host shows it is on FC).
    public static func gather(_ properties: [String: String], read: SysfsReader) -> PathFacts {
        var facts = PathFacts(properties: properties)
        while case let needed = facts.attributesNeeded, !needed.isEmpty {
            for attribute in needed { facts.sysfs[attribute] = .some(read(attribute)) }
        }
        return facts
    }

    public static func gather(_ event: Uevent, read: SysfsReader) -> PathFacts { gather(PathFacts(event).properties, read: read) }

    /// The sysfs attributes not yet read that the decisions need.
    public var attributesNeeded: [String] {
        guard let device = device else { return [] }
        // `dev` only tells the device number when udev did not.
        let hasDevT = properties["MAJOR"].flatMap({ UInt32($0) }) != nil && properties["MINOR"].flatMap({ UInt32($0) }) != nil
        let attributes = device.isNVMe ? PathFacts.nvmeAttributes : PathFacts.deviceAttributes
        var wanted = attributes.filter { !hasDevT || $0 != "dev" }.map { "\(device.dir)/\($0)" }
        if let h = device.hctl {
            // Only the FC host tells a transport the tree does not show; an FC path's names follow.
            let onFC = transport == .scsi(.fcp)
            if device.fcCandidate || onFC { wanted.append("class/fc_host/host\(h.host)/port_name") }
            if onFC {
                wanted += [
                    "class/fc_host/host\(h.host)/node_name",
                    "class/fc_transport/target\(h.host):\(h.channel):\(h.target)/node_name",
                    "class/fc_transport/target\(h.host):\(h.channel):\(h.target)/port_name"
                ]
            }
        }
        return wanted.filter { sysfs[$0] == nil }
    }

    /// Of the device's own directory: identity, then what its checker, prioritizer and reads need.
    static let deviceAttributes = [
        "dev", "size", "ro", "device/vendor", "device/model", "device/rev", "device/vpd_pg80",
        "device/vpd_pg83", "device/inquiry", "device/dh_state", "device/timeout", "device/access_state",
        "queue/logical_block_size"
    ]

    /// Of an NVMe namespace's directory: its `device` is the controller (model, serial, firmware,
    /// transport and the state the checker reads), as 0.9.4's nvme_sysfs_pathinfo reads them; and its
    /// `nsid` for prio ana (0.9.4 asks the block device with NVME_IOCTL_ID).
    static let nvmeAttributes = [
        "dev", "size", "ro", "wwid", "device/model", "device/serial", "device/firmware_rev", "device/transport",
        "queue/logical_block_size", "nsid"
    ]

    /// Where the device is: its kernel name, sysfs directory (DEVPATH when udev gave it, else the
    /// /sys/block link), SCSI address (the scsi_device above `block` in DEVPATH), and whether only the
    /// FC host can tell its transport.
    struct Device {
        var name: String
        var devPath: [String]
        var dir: String
        var hctl: HCTL?
        var fcCandidate: Bool
        var isNVMe: Bool { name.hasPrefix("nvme") }

        /// `nvmeXnY` (0.9.4 parses the name so) whose parent in DEVPATH, when udev gave it, is its
        /// controller `nvmeX`, not a native multipath subsystem.
        var isNVMeNamespace: Bool {
            func number(_ s: Substring) -> Bool { !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber } }
            let numbers = name.dropFirst(4).split(separator: "n", omittingEmptySubsequences: false)
            guard numbers.count == 2, numbers.allSatisfy(number) else { return false }
            guard devPath.count >= 2 else { return true }
            let parent = devPath[devPath.count - 2]
            return parent.hasPrefix("nvme") && number(parent.dropFirst(4))
        }
    }

    /// Where the properties place the device; nil when they name none. Taken once: every attribute
    /// lookup needs its directory.
    let device: Device?

    private static func device(_ properties: [String: String]) -> Device? {
        let devPath = properties["DEVPATH"].map { $0.split(separator: "/").map(String.init) } ?? []
        guard let name = properties["DEVNAME"].flatMap({ $0.split(separator: "/").last.map(String.init) }) ?? devPath.last,
            !name.isEmpty
        else { return nil }
        let blockIndex = devPath.lastIndex(of: "block")
        let hctl = blockIndex.flatMap { $0 > 0 ? HCTL(devPath[$0 - 1]) : nil }
        let fcCandidate = hctl != nil && transport(fromName: name, devPath: devPath) == nil
        return Device(
            name: name, devPath: devPath, dir: devPath.isEmpty ? "block/\(name)" : devPath.joined(separator: "/"),
            hctl: hctl, fcCandidate: fcCandidate)
    }

    /// An attribute of the device's own directory as text; nil when absent.
    func text(_ file: String) -> String? { bytes(file).map(sysfsText) }

    func bytes(_ file: String) -> [UInt8]? {
        guard let device else { return nil }
        return sysfs["\(device.dir)/\(file)"] ?? nil
    }

    /// `queue/logical_block_size`: the readsector0 and directio read length.
    public var blockSize: Int { text("queue/logical_block_size").flatMap { Int($0) } ?? 512 }

    /// The path's target port group, from VPD page 0x83 (prio alua).
    public var targetPortGroup: UInt16? { bytes("device/vpd_pg83").flatMap { DeviceIdentification($0)?.targetPortGroup } }

    /// An NVMe namespace's id (`nsid`), for prio ana.
    public var nvmeNamespaceID: UInt32? { text("nsid").flatMap { UInt32($0) } }

    /// Whether the kernel's alua handler shows the access state (`detect_prio` then picks `sysfs`).
    public var hasAccessState: Bool { bytes("device/access_state") != nil }

    /// The checker's timeout as 0.9.4 chooses it: `checker_timeout` when configured, else the SCSI
    /// device's command timeout (`device/timeout`), else 30 s.
    public func checkerTimeout(configured: Int?) -> Duration {
        configured.map { .seconds($0) } ?? text("device/timeout").flatMap { Int($0) }.map { .seconds($0) } ?? .seconds(30)
    }

    /// The transport, from the device's place in the sysfs tree: FC remote ports, iSCSI sessions and SAS
    /// end devices each leave their own directory between the host and the target; else the FC host.
    /// An NVMe namespace's is its controller's `transport` attribute.
    var transport: Transport {
        guard let device else { return .undefined }
        if device.isNVMe { return .nvme(text("device/transport").flatMap(Transport.NVMeProtocol.init(rawValue:)) ?? .unspecified) }
        if let t = PathFacts.transport(fromName: device.name, devPath: device.devPath) { return t }
        guard let hctl = device.hctl else { return .undefined }
        return sysfs["class/fc_host/host\(hctl.host)/port_name"].flatMap { $0 } != nil ? .scsi(.fcp) : .scsi(.unspecified)
    }

    /// The transport's device above this one in DEVPATH (`.../host5/rport-5:0-2/target5:0:1/...`), for the
    /// transport `transport`: an FC path found only through its host has none.
    func transportPort(_ transport: Transport) -> TransportPort? {
        guard let device else { return nil }
        func component(_ prefix: String) -> String? {
            device.devPath.first { $0.hasPrefix(prefix) && $0.count > prefix.count }
        }
        switch transport {
        case .scsi(.fcp): return component("rport-").map(TransportPort.fcRemotePort)
        case .scsi(.iscsi): return component("session").map(TransportPort.iscsiSession)
        case .scsi(.sas): return component("end_device-").map(TransportPort.sasEndDevice)
        // `.../nvme-fabrics/ctl/nvme0/nvme0n1`: a namespace path sits under its controller.
        case .nvme:
            let controller = device.devPath.first { $0.hasPrefix("nvme") && $0.count > 4 && $0.dropFirst(4).allSatisfy(\.isNumber) }
            return controller.map(TransportPort.nvmeController)
        default: return nil
        }
    }

    /// The transport the name or DEVPATH tells; nil when only the host can.
    private static func transport(fromName name: String, devPath: [String]) -> Transport? {
        if name.hasPrefix("nvme") { return .nvme(.unspecified) }
        if name.hasPrefix("dasd") { return .ccw }
        if name.hasPrefix("cciss") { return .cciss }
        guard devPath.lastIndex(of: "block").map({ $0 > 0 && HCTL(devPath[$0 - 1]) != nil }) == true else { return .undefined }
        for c in devPath {
            if c.hasPrefix("rport-") { return .scsi(.fcp) }
            if c.hasPrefix("session") { return .scsi(.iscsi) }
            if c.hasPrefix("end_device-") { return .scsi(.sas) }
            if c.hasPrefix("usb") { return .scsi(.usb) }
            if c.hasPrefix("ata") { return .scsi(.ata) }
        }
        return nil
    }
}

extension PathIdentity {
    /// The path a udev `block` device describes, from its properties and its sysfs attributes.
    ///
    /// Missing or malformed properties are tolerated: a path without a WWID keeps `wwid == nil`, a
    /// missing attribute leaves its field empty. Only what makes the device unusable as a path is
    /// rejected. The WWID is the `uidAttribute` property (trailing blanks trimmed) or else the one
    /// `wwidFromVPD83` derives from the device's cached VPD page 0x83 (by default multipath-tools' rule).
    public static func identify(
        _ facts: PathFacts,
        uidAttribute: String = "ID_SERIAL",
        wwidFromVPD83: ([UInt8]) -> String? = { DeviceIdentification($0)?.multipathWWID }
    ) -> Result<PathIdentity, PathRejection> {
        let properties = facts.properties
        if let s = properties["SUBSYSTEM"], s != "block" { return .failure(.notBlockDevice(subsystem: s)) }
        guard let device = facts.device else { return .failure(.noKernelName) }
        let name = device.name
        if properties["DEVTYPE"] == "partition" { return .failure(.partition(name)) }
        if name.hasPrefix("dm-") || properties["DM_NAME"] != nil { return .failure(.deviceMapper(name)) }
        if device.isNVMe, !device.isNVMeNamespace { return .failure(.notNVMeNamespace(name)) }

        let devT: DevT
        if let ma = properties["MAJOR"].flatMap({ UInt32($0) }), let mi = properties["MINOR"].flatMap({ UInt32($0) }) {
            devT = DevT(major: ma, minor: mi)
        } else if let d = facts.text("dev").flatMap({ DevT($0) }) {
            devT = d
        } else {
            return .failure(.noDevT(name))
        }

        let hctl = device.hctl
        let transport = facts.transport

        // Without the udev property, the device's own: VPD page 0x83, or an NVMe namespace's `wwid`.
        let nvme = transport.isNVMe
        var wwid = properties[uidAttribute].map(trimmingTrailingBlanks)
        if wwid?.isEmpty ?? true { wwid = nvme ? facts.text("wwid") : facts.bytes("device/vpd_pg83").flatMap(wwidFromVPD83) }

        let handler = facts.text("device/dh_state").flatMap { $0.isEmpty || $0 == "detached" ? nil : $0 }
        let inquiry = facts.bytes("device/inquiry") ?? []
        let tpgs: Int
        if inquiry.count > 5 {
            tpgs = Int(inquiry[5] >> 4) & 3
        } else {
            // The alua device handler attaches only to devices reporting TPGS; without the inquiry data
            // the mode is unknown, and implicit is what every ALUA device supports for state reporting.
            tpgs = handler == "alua" ? 1 : 0
        }

        // 0.9.4 takes an NVMe controller's model, firmware and serial as libudev gives them, padding
        // and all, and names every NVMe namespace's vendor `NVME`, for the hardware table.
        let vendor: String, product: String, revision: String, serial: String
        if nvme {
            func field(_ file: String, else property: String) -> String { facts.bytes(file).map(sysfsLine) ?? properties[property] ?? "" }
            (vendor, product) = ("NVME", field("device/model", else: "ID_MODEL"))
            (revision, serial) = (field("device/firmware_rev", else: "ID_REVISION"), field("device/serial", else: "ID_SERIAL_SHORT"))
        } else {
            vendor = facts.text("device/vendor") ?? properties["ID_VENDOR"] ?? ""
            product = facts.text("device/model") ?? properties["ID_MODEL"] ?? ""
            revision = facts.text("device/rev") ?? properties["ID_REVISION"] ?? ""
            serial = facts.bytes("device/vpd_pg80").flatMap(serialFromVPD80) ?? properties["ID_SCSI_SERIAL"] ?? ""
        }

        var fc: FibreChannelNames?
        if case .scsi(.fcp) = transport, let h = hctl {
            func name(_ path: String) -> String? { facts.sysfs[path].flatMap { $0 }.map(sysfsText) }
            if let hn = name("class/fc_host/host\(h.host)/node_name"), let hp = name("class/fc_host/host\(h.host)/port_name"),
                let tn = name("class/fc_transport/target\(h.host):\(h.channel):\(h.target)/node_name"),
                let tp = name("class/fc_transport/target\(h.host):\(h.channel):\(h.target)/port_name")
            {
                fc = FibreChannelNames(hostNodeName: hn, hostPortName: hp, targetNodeName: tn, targetPortName: tp)
            }
        }

        return .success(
            PathIdentity(
                name: name, devT: devT, hctl: hctl,
                vendor: vendor, product: product, revision: revision, wwid: wwid, serial: serial,
                sizeSectors: facts.text("size").flatMap { UInt64($0) } ?? 0,
                transport: transport, tpgs: tpgs, fc: fc, transportPort: facts.transportPort(transport),
                readOnly: (properties["DISK_RO"] ?? facts.text("ro")) == "1", attachedHandler: handler,
                udevClaim: UdevClaim(properties: properties)))
    }

    /// The facts gathered through `sysfs`, then identified: for tests and the lab's tool.
    public static func fromUevent(
        _ properties: [String: String],
        uidAttribute: String = "ID_SERIAL",
        sysfs: SysfsReader,
        wwidFromVPD83: ([UInt8]) -> String? = { DeviceIdentification($0)?.multipathWWID }
    ) -> Result<PathIdentity, PathRejection> {
        identify(PathFacts.gather(properties, read: sysfs), uidAttribute: uidAttribute, wwidFromVPD83: wwidFromVPD83)
    }

    public static func fromUevent(
        _ event: Uevent,
        uidAttribute: String = "ID_SERIAL",
        sysfs: SysfsReader,
        wwidFromVPD83: ([UInt8]) -> String? = { DeviceIdentification($0)?.multipathWWID }
    ) -> Result<PathIdentity, PathRejection> {
        fromUevent(PathFacts(event).properties, uidAttribute: uidAttribute, sysfs: sysfs, wwidFromVPD83: wwidFromVPD83)
    }
}

/// The unit serial number from VPD page 0x80 (4-byte header, then ASCII, space padded).
func serialFromVPD80(_ page: [UInt8]) -> String? {
    guard page.count >= 4, page[1] == 0x80 else { return nil }
    let length = min(Int(page[2]) << 8 | Int(page[3]), page.count - 4)
    let s = sysfsText(Array(page[4..<(4 + length)]))
    return s.isEmpty ? nil : s
}

/// A sysfs attribute as libudev gives it: without its trailing newline, padding kept.
func sysfsLine(_ bytes: [UInt8]) -> String {
    var b = bytes[...]
    while let l = b.last, l == 0x0a || l == 0x0d { b = b.dropLast() }
    return String(decoding: b, as: UTF8.self)
}

/// A sysfs text attribute without its newline, padding or NULs.
public func sysfsText(_ bytes: [UInt8]) -> String {
    var b = bytes[...]
    func blank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0a || c == 0x09 || c == 0x0d || c == 0 }
    while let f = b.first, blank(f) { b = b.dropFirst() }
    while let l = b.last, blank(l) { b = b.dropLast() }
    return String(decoding: b, as: UTF8.self)
}

private func trimmingTrailingBlanks(_ s: String) -> String {
    var t = Substring(s)
    while let l = t.last, l == " " || l == "\t" || l == "\n" { t = t.dropLast() }
    return String(t)
}
