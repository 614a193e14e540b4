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

    public var description: String {
        switch self {
        case .notBlockDevice(let s): "not a block device (subsystem \(s))"
        case .partition(let n): "\(n) is a partition"
        case .deviceMapper(let n): "\(n) is a device-mapper device"
        case .noKernelName: "no DEVNAME or DEVPATH"
        case .noDevT(let n): "\(n) has no valid MAJOR/MINOR"
        }
    }
}

extension PathIdentity {
    /// The path a udev `block` device describes, from its properties and its sysfs attributes.
    ///
    /// Missing or malformed properties are tolerated: a path without a WWID keeps `wwid == nil`, a
    /// missing attribute leaves its field empty. Only what makes the device unusable as a path is
    /// rejected. The WWID is the `uidAttribute` property (trailing blanks trimmed) or else the one
    /// `wwidFromVPD83` derives from the device's cached VPD page 0x83 (by default multipath-tools' rule).
    public static func fromUevent(
        _ properties: [String: String],
        uidAttribute: String = "ID_SERIAL",
        sysfs: SysfsReader,
        wwidFromVPD83: ([UInt8]) -> String? = { DeviceIdentification($0)?.multipathWWID }
    ) -> Result<PathIdentity, PathRejection> {
        if let s = properties["SUBSYSTEM"], s != "block" { return .failure(.notBlockDevice(subsystem: s)) }
        let devPath = properties["DEVPATH"].map { $0.split(separator: "/").map(String.init) } ?? []
        guard let name = properties["DEVNAME"].flatMap({ $0.split(separator: "/").last.map(String.init) }) ?? devPath.last,
              !name.isEmpty else { return .failure(.noKernelName) }
        if properties["DEVTYPE"] == "partition" { return .failure(.partition(name)) }
        if name.hasPrefix("dm-") || properties["DM_NAME"] != nil { return .failure(.deviceMapper(name)) }

        // sysfs directory of the device: DEVPATH when udev gave it, else the /sys/block link.
        let dir = devPath.isEmpty ? "block/\(name)" : devPath.joined(separator: "/")
        func attr(_ file: String) -> String? { sysfs("\(dir)/\(file)").map(sysfsText) }

        let devT: DevT
        if let ma = properties["MAJOR"].flatMap({ UInt32($0) }), let mi = properties["MINOR"].flatMap({ UInt32($0) }) {
            devT = DevT(major: ma, minor: mi)
        } else if let d = attr("dev").flatMap({ DevT($0) }) {
            devT = d
        } else {
            return .failure(.noDevT(name))
        }

        // A SCSI disk sits under its scsi_device, named H:C:T:L (the target of /sys/block/sdX/device).
        let blockIndex = devPath.lastIndex(of: "block")
        let hctl = blockIndex.flatMap { $0 > 0 ? HCTL(devPath[$0 - 1]) : nil }
        let transport = transport(name: name, hctl: hctl, devPath: devPath, sysfs: sysfs)

        var wwid = properties[uidAttribute].map(trimmingTrailingBlanks)
        if wwid?.isEmpty ?? true { wwid = sysfs("\(dir)/device/vpd_pg83").flatMap(wwidFromVPD83) }

        let handler = attr("device/dh_state").flatMap { $0.isEmpty || $0 == "detached" ? nil : $0 }
        let inquiry = sysfs("\(dir)/device/inquiry") ?? []
        let tpgs: Int
        if inquiry.count > 5 {
            tpgs = Int(inquiry[5] >> 4) & 3
        } else {
            // The alua device handler attaches only to devices reporting TPGS; without the inquiry data
            // the mode is unknown, and implicit is what every ALUA device supports for state reporting.
            tpgs = handler == "alua" ? 1 : 0
        }

        var fc: FibreChannelNames?
        if case .scsi(.fcp) = transport, let h = hctl,
           let hn = sysfs("class/fc_host/host\(h.host)/node_name").map(sysfsText),
           let hp = sysfs("class/fc_host/host\(h.host)/port_name").map(sysfsText),
           let tn = sysfs("class/fc_transport/target\(h.host):\(h.channel):\(h.target)/node_name").map(sysfsText),
           let tp = sysfs("class/fc_transport/target\(h.host):\(h.channel):\(h.target)/port_name").map(sysfsText) {
            fc = FibreChannelNames(hostNodeName: hn, hostPortName: hp, targetNodeName: tn, targetPortName: tp)
        }

        return .success(PathIdentity(
            name: name, devT: devT, hctl: hctl,
            vendor: attr("device/vendor") ?? properties["ID_VENDOR"] ?? "",
            product: attr("device/model") ?? properties["ID_MODEL"] ?? "",
            revision: attr("device/rev") ?? properties["ID_REVISION"] ?? "",
            wwid: wwid,
            serial: sysfs("\(dir)/device/vpd_pg80").flatMap(serialFromVPD80) ?? properties["ID_SCSI_SERIAL"] ?? "",
            sizeSectors: attr("size").flatMap { UInt64($0) } ?? 0,
            transport: transport, tpgs: tpgs, fc: fc,
            readOnly: (properties["DISK_RO"] ?? attr("ro")) == "1", attachedHandler: handler))
    }

    /// The path a udev event (or a device listed at start) describes; see the property-set form.
    public static func fromUevent(
        _ event: Uevent,
        uidAttribute: String = "ID_SERIAL",
        sysfs: SysfsReader,
        wwidFromVPD83: ([UInt8]) -> String? = { DeviceIdentification($0)?.multipathWWID }
    ) -> Result<PathIdentity, PathRejection> {
        var properties: [String: String] = [:]
        for (name, value) in event.properties { properties[name] = value }
        return fromUevent(properties, uidAttribute: uidAttribute, sysfs: sysfs, wwidFromVPD83: wwidFromVPD83)
    }

    /// The transport, from the device's place in the sysfs tree: FC remote ports, iSCSI sessions and SAS
    /// end devices each leave their own directory between the host and the target.
    private static func transport(name: String, hctl: HCTL?, devPath: [String], sysfs: SysfsReader) -> Transport {
        if name.hasPrefix("nvme") { return .nvme }
        if name.hasPrefix("dasd") { return .ccw }
        if name.hasPrefix("cciss") { return .cciss }
        guard let hctl else { return .undefined }
        for c in devPath {
            if c.hasPrefix("rport-") { return .scsi(.fcp) }
            if c.hasPrefix("session") { return .scsi(.iscsi) }
            if c.hasPrefix("end_device-") { return .scsi(.sas) }
            if c.hasPrefix("usb") { return .scsi(.usb) }
            if c.hasPrefix("ata") { return .scsi(.ata) }
        }
        if sysfs("class/fc_host/host\(hctl.host)/port_name") != nil { return .scsi(.fcp) }
        return .scsi(.unspecified)
    }
}

/// The unit serial number from VPD page 0x80 (4-byte header, then ASCII, space padded).
func serialFromVPD80(_ page: [UInt8]) -> String? {
    guard page.count >= 4, page[1] == 0x80 else { return nil }
    let length = min(Int(page[2]) << 8 | Int(page[3]), page.count - 4)
    let s = sysfsText(Array(page[4..<(4 + length)]))
    return s.isEmpty ? nil : s
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
