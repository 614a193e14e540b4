import CUdev
import Glibc
import MultipathCore

/// The block disks present at start, each as a synthetic `add` event, so that the daemon handles
/// start-up and hot-plug the same way. Only devices udev has finished processing are listed: the
/// others lack their udev properties (the WWID among them), and their real `add` event still comes
/// through the monitor.
public enum UdevEnumerator {
    public static func blockDisks() throws(SystemError) -> [Uevent] {
        guard let udev = udev_new() else { throw SystemError("udev_new", .current) }
        defer { udev_unref(udev) }
        guard let e = udev_enumerate_new(udev) else { throw SystemError("udev_enumerate_new", .current) }
        defer { udev_enumerate_unref(e) }
        udev_enumerate_add_match_subsystem(e, "block")
        udev_enumerate_add_match_property(e, "DEVTYPE", "disk")
        udev_enumerate_add_match_is_initialized(e)
        let r = udev_enumerate_scan_devices(e)
        if r < 0 { throw SystemError("udev_enumerate_scan_devices", Errno(rawValue: -r)) }

        var events: [Uevent] = []
        var entry = udev_enumerate_get_list_entry(e)
        while let en = entry {
            // A device that vanished between the scan and now is simply not listed.
            if let path = udev_list_entry_get_name(en), let dev = udev_device_new_from_syspath(udev, path) {
                events.append(Uevent(udevDevice: dev, action: .add))
                udev_device_unref(dev)
            }
            entry = udev_list_entry_get_next(en)
        }
        return events
    }
}

extension Uevent {
    /// Copies a libudev device's name, number and properties.
    public init(udevDevice device: OpaquePointer, action: Action) {
        var properties: [(name: String, value: String)] = []
        var entry = udev_device_get_properties_list_entry(device)
        while let e = entry {
            if let name = udev_list_entry_get_name(e) {
                properties.append((String(cString: name), udev_list_entry_get_value(e).map { String(cString: $0) } ?? ""))
            }
            entry = udev_list_entry_get_next(e)
        }
        let devnum = UInt64(udev_device_get_devnum(device))
        self.init(
            action: action,
            sysname: udev_device_get_sysname(device).map { String(cString: $0) } ?? "",
            devnode: udev_device_get_devnode(device).map { String(cString: $0) },
            devnum: devnum == 0 ? nil : DevT(encoded: devnum),
            properties: properties)
    }
}
