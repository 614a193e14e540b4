import MultipathCore

/// A small fixed model the targets run their inputs against: paths as the lab's scsi_debug, a real
/// array's LUN, an NVMe namespace, and one map of the first four in three ALUA groups.
public enum FuzzModel {
    public static let scsiDebugWWID = "1Linux_scsi_debug_2000"
    /// A real NetApp LUN's WWID (34 characters, as `wwid` blacklist entries match).
    public static let arrayWWID = "3600a098038303053453f463045373432"

    public static let identities: [PathIdentity] =
        (0..<4).map { host in
            PathIdentity(
                name: "sd" + String(UnicodeScalar(UInt8(97 + host))), devT: DevT(major: 8, minor: UInt32(16 * host)),
                hctl: HCTL(host: host, channel: 0, target: 0, lun: 0), vendor: "Linux", product: "scsi_debug",
                revision: "0191", wwid: scsiDebugWWID, serial: "2000", sizeSectors: 32768, transport: .scsi(.unspecified),
                tpgs: 1, attachedHandler: "alua")
        } + [
            PathIdentity(
                name: "sde", devT: DevT(major: 8, minor: 64), hctl: HCTL(host: 5, channel: 0, target: 1, lun: 3),
                vendor: "NETAPP", product: "LUN C-Mode", revision: "9800", wwid: arrayWWID, serial: "80SEF_FE742",
                sizeSectors: 2_097_152, transport: .scsi(.fcp), tpgs: 1,
                fc: FibreChannelNames(
                    hostNodeName: "0x20000024ff7f5a1c", hostPortName: "0x21000024ff7f5a1c",
                    targetNodeName: "0x2000d039ea1bcd02", targetPortName: "0x2001d039ea1bcd02"),
                transportPort: .fcRemotePort("rport-5:0-1"), attachedHandler: "alua", udevClaim: .claimed),
            PathIdentity(
                name: "nvme0n1", devT: DevT(major: 259, minor: 0), vendor: "NVME", product: "QEMU NVMe Ctrl",
                wwid: "nvme.1b36-6465616462656566-51454d55204e564d65204374726c-00000001", transport: .nvme(.pcie))
        ]

    /// One path of each kind: the scsi_debug paths differ only by name and address.
    public static let pathKinds = [identities[0], identities[4], identities[5]]

    /// Udev property names as a SCSI disk's uevent has them, in udev's order.
    public static let udevProperties = [
        "DEVPATH", "DEVNAME", "DEVTYPE", "MAJOR", "MINOR", "SUBSYSTEM", "ID_SCSI", "ID_VENDOR", "ID_MODEL",
        "ID_REVISION", "ID_TYPE", "ID_SERIAL", "ID_SERIAL_SHORT", "ID_WWN", "ID_PATH", "DM_MULTIPATH_DEVICE_PATH"
    ]

    /// What blacklist and device expressions are matched against: device names, WWIDs, vendors, products.
    public static let regexSubjects =
        identities.flatMap { [$0.name, $0.wwid ?? "", $0.vendor, $0.product] } + ["dm-0", "loop0", "sr0", "ID_SERIAL", "scsi:fcp", ""]

    /// The paths of `map`, as `show paths` sees them: checked, in the map, priorities 50, 10, 1, 50.
    public static let paths: [PathSnapshot] = identities.enumerated().map { i, identity in
        guard i < 4 else { return PathSnapshot(identity: identity, failures: 1, initState: "new") }
        return PathSnapshot(
            identity: identity, mapName: "mpatha", dmActive: i != 2, deviceState: i == 2 ? "offline" : "running",
            checkerState: i == 2 ? .down : .up, checker: "tur", nextCheck: Countdown(tick: i + 1, total: 5),
            priority: [50, 10, 1, 50][i], marginal: i == 1, failures: i, vpdData: i == 0 ? "scsi_debug" : nil)
    }

    public static let maps: [MapSnapshot] = {
        var stats = MapSnapshot.Stats()
        (stats.pathFaults, stats.mapLoads, stats.mapFailures) = (2, 1, 1)
        return [
            MapSnapshot(
                name: "mpatha", wwid: scsiDebugWWID, dmMinor: 0, failback: .countdown(Countdown(tick: 2, total: 5)),
                queueing: .secondsLeft(12), activePaths: 3, sizeSectors: 32768, features: "1 queue_if_no_path",
                hardwareHandler: "1 alua", action: "create", stats: stats, vendor: "Linux", product: "scsi_debug",
                revision: "0191",
                groups: [
                    PathGroupSnapshot(selector: "service-time 0", priority: 50, state: .active, paths: [paths[0], paths[3]]),
                    PathGroupSnapshot(selector: "service-time 0", priority: 10, state: .enabled, marginal: true, paths: [paths[1]]),
                    PathGroupSnapshot(selector: "service-time 0", priority: 0, state: nil, paths: [paths[2]])
                ]),
            MapSnapshot(
                name: arrayWWID, wwid: arrayWWID, dmMinor: nil, failback: .immediate, queueing: .checks(12), activePaths: 0,
                readOnly: nil, suspended: true, sizeSectors: 2_097_152)
        ]
    }()
}
