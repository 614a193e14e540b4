import CUdev
import Glibc
import MultipathCore

/// A udev device as the core needs it: where it sits in sysfs and its properties.
public struct UdevDeviceRecord: Hashable, Sendable {
    /// `/sys/devices/.../block/sdb`.
    public var syspath: String
    public var properties: [String: String]

    public init(syspath: String, properties: [String: String]) {
        self.syspath = syspath
        self.properties = properties
    }

    /// Copies what the core needs out of a libudev device (from the enumerator or the monitor).
    public init(_ device: OpaquePointer) {
        syspath = udev_device_get_syspath(device).map { String(cString: $0) } ?? ""
        properties = [:]
        var entry = udev_device_get_properties_list_entry(device)
        while let e = entry {
            if let name = udev_list_entry_get_name(e) {
                properties[String(cString: name)] = udev_list_entry_get_value(e).map { String(cString: $0) } ?? ""
            }
            entry = udev_list_entry_get_next(e)
        }
    }

    /// The path this device is, or why it is not one. `wwidFromVPD83` decodes a VPD page 0x83 into
    /// the WWID multipath uses when the `uidAttribute` property is missing.
    public func pathIdentity(uidAttribute: String = "ID_SERIAL", sysfs: Sysfs = Sysfs(),
                             wwidFromVPD83: ([UInt8]) -> String?) -> Result<PathIdentity, PathRejection> {
        var p = properties
        // libudev always gives DEVPATH; if not, the syspath says the same relative to the sysfs root.
        if p["DEVPATH"] == nil, syspath.hasPrefix(sysfs.root + "/") {
            p["DEVPATH"] = String(syspath.dropFirst(sysfs.root.count))
        }
        return PathIdentity.fromUevent(p, uidAttribute: uidAttribute, sysfs: sysfs.reader, wwidFromVPD83: wwidFromVPD83)
    }
}

/// The block disks present at start. Only devices udev has finished processing are listed: the
/// others lack their udev properties (the WWID among them), and their `add` event still comes
/// through the monitor.
public enum UdevEnumerator {
    public static func blockDisks() throws(SystemError) -> [UdevDeviceRecord] {
        guard let udev = udev_new() else { throw SystemError("udev_new", .current) }
        defer { udev_unref(udev) }
        guard let e = udev_enumerate_new(udev) else { throw SystemError("udev_enumerate_new", .current) }
        defer { udev_enumerate_unref(e) }
        udev_enumerate_add_match_subsystem(e, "block")
        udev_enumerate_add_match_property(e, "DEVTYPE", "disk")
        udev_enumerate_add_match_is_initialized(e)
        let r = udev_enumerate_scan_devices(e)
        if r < 0 { throw SystemError("udev_enumerate_scan_devices", Errno(rawValue: -r)) }

        var records: [UdevDeviceRecord] = []
        var entry = udev_enumerate_get_list_entry(e)
        while let en = entry {
            // A device that vanished between the scan and now is simply not listed.
            if let path = udev_list_entry_get_name(en), let dev = udev_device_new_from_syspath(udev, path) {
                records.append(UdevDeviceRecord(dev))
                udev_device_unref(dev)
            }
            entry = udev_list_entry_get_next(en)
        }
        return records
    }
}
