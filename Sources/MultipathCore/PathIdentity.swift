/// What a path is, as udev and sysfs describe it. Immutable while the device exists: a change of
/// any of these is a `change` uevent that the daemon handles as such.
public struct PathIdentity: Hashable, Sendable {
    /// Kernel name, `sdc`.
    public var name: String
    public var devT: DevT
    /// nil for devices that are not SCSI (nvme, dasd...).
    public var hctl: HCTL?
    public var vendor: String
    public var product: String
    public var revision: String
    /// The WWID from `uid_attribute` (or VPD 0x83); nil means "no WWID": such a path is kept, never grouped.
    public var wwid: String?
    public var serial: String
    /// Size in 512-byte sectors.
    public var sizeSectors: UInt64
    /// Transport, as multipath-tools names it: `scsi:fcp`, `scsi:iscsi`, `scsi:sas`, `scsi:unspec`, `nvme:tcp`...
    public var transport: Transport
    /// TPGS bits from standard INQUIRY byte 5 (0 none, 1 implicit, 2 explicit, 3 both).
    public var tpgs: Int
    /// Fibre channel node and port names of the host and the target port, when the transport is FC.
    public var fc: FibreChannelNames?
    /// The FC remote port, iSCSI session or SAS end device above the device, where its transport's
    /// timeouts are set.
    public var transportPort: TransportPort?
    /// The disk is read-only (sysfs `ro`, or `DISK_RO` in the change uevent that says it changed).
    public var readOnly: Bool
    /// The device handler the kernel attached to the SCSI device (sysfs `dh_state`: `alua`, `rdac`...).
    public var attachedHandler: String?
    /// What udev's multipath rules made of the device at its last uevent.
    public var udevClaim: UdevClaim

    public init(
        name: String, devT: DevT, hctl: HCTL? = nil, vendor: String = "", product: String = "",
        revision: String = "", wwid: String? = nil, serial: String = "", sizeSectors: UInt64 = 0,
        transport: Transport = .scsi(.unspecified), tpgs: Int = 0, fc: FibreChannelNames? = nil, transportPort: TransportPort? = nil,
        readOnly: Bool = false, attachedHandler: String? = nil, udevClaim: UdevClaim = .unclaimed
    ) {
        self.name = name
        self.devT = devT
        self.hctl = hctl
        self.vendor = vendor
        self.product = product
        self.revision = revision
        self.wwid = wwid
        self.serial = serial
        self.sizeSectors = sizeSectors
        self.transport = transport
        self.tpgs = tpgs
        self.fc = fc
        self.transportPort = transportPort
        self.readOnly = readOnly
        self.attachedHandler = attachedHandler
        self.udevClaim = udevClaim
    }
}

/// Whether Debian's 60-multipath.rules (`multipath -u`) claimed the device as a multipath path, which
/// hides it from the rest of the system (`SYSTEMD_READY=0`, `ID_FS_TYPE=mpath_member`).
public enum UdevClaim: Hashable, Sendable {
    /// `DM_MULTIPATH_DEVICE_PATH` absent or 0.
    case unclaimed
    /// `DM_MULTIPATH_DEVICE_PATH=1`.
    case claimed
    /// Claimed while find_multipaths smart waits for a sibling (`FIND_MULTIPATHS_WAIT_UNTIL` set, not 0).
    case waiting

    public init(properties: [String: String]) {
        guard let claim = properties["DM_MULTIPATH_DEVICE_PATH"], claim != "0" else {
            self = .unclaimed
            return
        }
        let until = properties["FIND_MULTIPATHS_WAIT_UNTIL"]
        self = until == nil || until == "0" ? .claimed : .waiting
    }
}

public enum Transport: Hashable, Sendable, CustomStringConvertible {
    public enum SCSIProtocol: String, Sendable, CaseIterable {
        case fcp, spi, ssa, sbp, srp, iscsi, sas, adt, ata, usb, pcie
        case unspecified = "unspec"
    }

    /// An NVMe controller's sysfs `transport`, as 0.9.4 names it after `nvme:`.
    public enum NVMeProtocol: String, Sendable, CaseIterable {
        case pcie, rdma, fc, tcp, loop
        case appleNVMe = "apple-nvme"
        case unspecified = "unspec"
    }

    case scsi(SCSIProtocol)
    case ccw
    case cciss
    case nvme(NVMeProtocol)
    case undefined

    public var isNVMe: Bool {
        if case .nvme = self { return true }
        return false
    }

    /// The name used by the `protocol` blacklist section and the overrides `protocol` subsection.
    public var description: String {
        switch self {
        case .scsi(let p): "scsi:\(p.rawValue)"
        case .ccw: "ccw"
        case .cciss: "cciss"
        case .nvme(let p): "nvme:\(p.rawValue)"
        case .undefined: "undef"
        }
    }
}

/// The transport's own device above a path in the sysfs tree, by its name there: for a SCSI path its
/// class directory holds the timeouts 0.9.4 sets (`sysfs_set_scsi_tmo`); for an NVMe namespace, its
/// controller. Each but the SAS end device shows whether it carries I/O (`Multipaths+Transport`).
public enum TransportPort: Hashable, Sendable {
    /// `rport-5:0-2`, under `class/fc_remote_ports`.
    case fcRemotePort(String)
    /// `session3`, under `class/iscsi_session`.
    case iscsiSession(String)
    /// `end_device-0:0`, under `class/sas_end_device`.
    case sasEndDevice(String)
    /// `nvme0`, under `class/nvme`: the NVMe controller of a namespace path.
    case nvmeController(String)

    /// Its directory relative to the sysfs root.
    public var directory: String {
        switch self {
        case .fcRemotePort(let n): "class/fc_remote_ports/\(n)"
        case .iscsiSession(let n): "class/iscsi_session/\(n)"
        case .sasEndDevice(let n): "class/sas_end_device/\(n)"
        case .nvmeController(let n): "class/nvme/\(n)"
        }
    }
}

public struct FibreChannelNames: Hashable, Sendable {
    public var hostNodeName: String
    public var hostPortName: String
    public var targetNodeName: String
    public var targetPortName: String

    public init(hostNodeName: String, hostPortName: String, targetNodeName: String, targetPortName: String) {
        self.hostNodeName = hostNodeName
        self.hostPortName = hostPortName
        self.targetNodeName = targetNodeName
        self.targetPortName = targetPortName
    }
}
