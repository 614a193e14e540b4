import CDevMapper
import CLinux
import Glibc
import MultipathCore

/// Why a device-mapper call failed.
public enum DeviceMapperError: Error, Hashable, Sendable, CustomStringConvertible {
    /// EBUSY: a message to a suspended map, or removing an open map. The map is fine: retry later.
    case busy(String)
    /// ENXIO: the map does not exist (any more).
    case noSuchMap(String)
    case failed(String, Errno?)
    /// The map's table is not one `multipath` target.
    case notMultipath(map: String, target: String)
    case malformed(map: String, DMTextError)

    public var description: String {
        switch self {
        case .busy(let op): "\(op): device busy, retry later"
        case .noSuchMap(let op): "\(op): no such map"
        case .failed(let op, let e?): "\(op): \(e)"
        case .failed(let op, nil): "\(op) failed (libdevmapper's log says why)"
        case .notMultipath(let map, let target): "\(map): not a multipath map (target \(target))"
        case .malformed(let map, let e): "\(map): \(e)"
        }
    }

    public var isBusy: Bool { if case .busy = self { true } else { false } }
}

/// What `DM_DEVICE_INFO` says about a map.
public struct DMMapInfo: Hashable, Sendable {
    public var name: String
    /// `mpath-<wwid>` for multipath maps.
    public var uuid: String
    public var devT: DevT
    public var eventNumber: UInt32
    public var openCount: Int
    public var isSuspended: Bool
    public var hasLiveTable: Bool
    public var hasInactiveTable: Bool
    /// The map was created or loaded read-only.
    public var isReadOnly: Bool

    public static let multipathUUIDPrefix = "mpath-"

    public init(
        name: String, uuid: String, devT: DevT, eventNumber: UInt32, openCount: Int = 0, isSuspended: Bool = false,
        hasLiveTable: Bool = true, hasInactiveTable: Bool = false, isReadOnly: Bool = false
    ) {
        self.name = name
        self.uuid = uuid
        self.devT = devT
        self.eventNumber = eventNumber
        self.openCount = openCount
        self.isSuspended = isSuspended
        self.hasLiveTable = hasLiveTable
        self.hasInactiveTable = hasInactiveTable
        self.isReadOnly = isReadOnly
    }

    /// The WWID, for a map whose UUID has the multipath prefix.
    public var wwid: String? {
        uuid.hasPrefix(Self.multipathUUIDPrefix) ? String(uuid.dropFirst(Self.multipathUUIDPrefix.count)) : nil
    }

    /// As the device list reports it, for `DMEventTracker`.
    public var device: DMDevice { DMDevice(name: name, devT: devT, eventNumber: eventNumber, uuid: uuid) }
}

public enum DMLogLevel: Int32, Sendable, Comparable {
    case fatal = 2, error, warning, notice, info, debug

    public static func < (a: DMLogLevel, b: DMLogLevel) -> Bool { a.rawValue < b.rawValue }
}

/// The one sink libdevmapper's C callback can reach: it takes no context pointer.
nonisolated(unsafe) private var dmLogSink: ((DMLogLevel, String) -> Void)?

/// Multipath maps through libdevmapper. One per process (libdevmapper's settings are global); use it
/// from the loop's thread only.
///
/// udev synchronisation is switched off (`dm_udev_set_sync_support(0)`): with it on, libdevmapper
/// waits on a SysV semaphore until udev has processed the event (`dm_udev_wait`), which would block
/// the loop for as long as udev takes. Creates, resumes, renames and removes still carry the udev flag
/// `DM_UDEV_DISABLE_LIBRARY_FALLBACK`, so udev's rules, not libdevmapper, make the /dev/mapper
/// nodes, and the core's `MapUdevFlags` (reload, no paths, no kpartx) for multipath's rules; with sync
/// off no semaphore is made, nothing waits, and the `change`/`remove` uevent that follows tells the
/// daemon the node is ready or gone.
///
/// Every call is one bounded ioctl, except that a suspend (explicit, or the one inside a resume that
/// swaps tables) waits for I/O already in flight on the map's paths.
public final class DeviceMapper {
    /// `log` receives libdevmapper's messages (its debug level is chatty: filter there).
    public init(log: @escaping (DMLogLevel, String) -> Void) {
        dmLogSink = log
        CLinux_dm_set_log_sink { level, _, _, message in
            guard let message, let sink = dmLogSink else { return }
            // The low bits are the level; higher bits are libdevmapper's stderr/once flags.
            sink(DMLogLevel(rawValue: max(level & 7, 2)) ?? .debug, String(cString: message))
        }
        dm_udev_set_sync_support(0)
        dm_udev_set_checking(0)
    }

    deinit {
        dm_lib_release()
        CLinux_dm_set_log_sink(nil)
        dmLogSink = nil
    }

    // MARK: Reading

    /// All maps whose UUID starts with `mpath-`, with their event numbers.
    public func multipathMaps() throws(DeviceMapperError) -> [DMMapInfo] {
        // A map removed between the list and its info is simply not listed.
        var maps: [DMMapInfo] = []
        for name in try deviceNames() {
            if let i = try info(name), i.wwid != nil { maps.append(i) }
        }
        return maps
    }

    /// Every device-mapper device with its table (a map's partitions are among them).
    public func deviceTables() throws(DeviceMapperError) -> [DMDeviceTable] {
        var devices: [DMDeviceTable] = []
        for name in try deviceNames() {
            if let d = try deviceTable(name) { devices.append(d) }
        }
        return devices
    }

    /// nil when the device went between the list and now.
    private func deviceTable(_ name: String) throws(DeviceMapperError) -> DMDeviceTable? {
        try run(DM_DEVICE_TABLE, "table \(name)", name: name) { dmt throws(DeviceMapperError) in
            var i = dm_info()
            guard dm_task_get_info(dmt, &i) != 0 else { throw .failed("table \(name)", nil) }
            guard i.exists != 0 else { return nil }
            var targets: [DMDeviceTable.Target] = []
            var next: UnsafeMutableRawPointer?
            repeat {
                var start: UInt64 = 0, length: UInt64 = 0
                var type: UnsafeMutablePointer<CChar>?, params: UnsafeMutablePointer<CChar>?
                next = dm_get_next_target(dmt, next, &start, &length, &type, &params)
                guard let type else { break }
                targets.append(.init(type: String(cString: type), params: params.map { String(cString: $0) } ?? ""))
            } while next != nil
            return DMDeviceTable(
                name: name, uuid: dm_task_get_uuid(dmt).map { String(cString: $0) } ?? "",
                devT: DevT(major: i.major, minor: i.minor), openCount: Int(i.open_count), targets: targets)
        }
    }

    private func deviceNames() throws(DeviceMapperError) -> [String] {
        try run(DM_DEVICE_LIST, "list maps") { dmt in
            guard var n = dm_task_get_names(dmt), n.pointee.dev != 0 else { return [] }
            var out: [String] = []
            while true {
                out.append(String(cString: CLinux_dm_names_name(n)))
                let next = n.pointee.next
                if next == 0 { break }
                n = UnsafeMutableRawPointer(n).advanced(by: Int(next)).assumingMemoryBound(to: dm_names.self)
            }
            return out
        }
    }

    /// The map's info; nil when there is no map of that name.
    public func info(_ name: String) throws(DeviceMapperError) -> DMMapInfo? {
        try run(DM_DEVICE_INFO, "info \(name)", name: name) { dmt throws(DeviceMapperError) in
            var i = dm_info()
            guard dm_task_get_info(dmt, &i) != 0 else { throw .failed("info \(name)", nil) }
            guard i.exists != 0 else { return nil }
            return DMMapInfo(
                name: name, uuid: dm_task_get_uuid(dmt).map { String(cString: $0) } ?? "",
                devT: DevT(major: i.major, minor: i.minor), eventNumber: i.event_nr,
                openCount: Int(i.open_count), isSuspended: i.suspended != 0,
                hasLiveTable: i.live_table != 0, hasInactiveTable: i.inactive_table != 0, isReadOnly: i.read_only != 0)
        }
    }

    /// The live table and the map's size in 512-byte sectors.
    public func table(_ name: String) throws(DeviceMapperError) -> (sizeSectors: UInt64, table: MultipathTable) {
        let (size, params) = try multipathTarget(DM_DEVICE_TABLE, name)
        do { return (size, try MultipathTable(parsing: params)) } catch { throw .malformed(map: name, error) }
    }

    public func status(_ name: String) throws(DeviceMapperError) -> MultipathStatus {
        let (_, params) = try multipathTarget(DM_DEVICE_STATUS, name)
        do { return try MultipathStatus(parsing: params) } catch { throw .malformed(map: name, error) }
    }

    private func multipathTarget(_ type: Int, _ name: String) throws(DeviceMapperError) -> (UInt64, String) {
        let what = type == DM_DEVICE_TABLE ? "table" : "status"
        return try run(type, "\(what) \(name)", name: name) { dmt throws(DeviceMapperError) in
            // libdevmapper reports a missing map as success with `exists` clear.
            var i = dm_info()
            guard dm_task_get_info(dmt, &i) != 0, i.exists != 0 else { throw .noSuchMap("\(what) \(name)") }
            var start: UInt64 = 0, length: UInt64 = 0
            var target: UnsafeMutablePointer<CChar>?, params: UnsafeMutablePointer<CChar>?
            let next = dm_get_next_target(dmt, nil, &start, &length, &target, &params)
            let type = target.map { String(cString: $0) } ?? "none"
            guard type == "multipath", next == nil, start == 0 else { throw .notMultipath(map: name, target: type) }
            return (length, params.map { String(cString: $0) } ?? "")
        }
    }

    // MARK: Changing

    /// Creates and activates a map named `name` with UUID `mpath-<wwid>`; `readOnly` opens its paths
    /// read-only (a read-only path cannot be in a writable map).
    public func create(
        name: String, wwid: String, sizeSectors: UInt64, table: MultipathTable, readOnly: Bool = false, udevFlags: MapUdevFlags = []
    ) throws(DeviceMapperError) {
        try run(DM_DEVICE_CREATE, "create \(name)", name: name, udev: udevFlags) { dmt in
            (!readOnly || dm_task_set_ro(dmt) != 0)
                && dm_task_set_uuid(dmt, DMMapInfo.multipathUUIDPrefix + wwid) != 0
                && dm_task_add_target(dmt, 0, sizeSectors, "multipath", table.description) != 0
        } result: { _ in
        }
    }

    /// Loads `table` as the map's inactive table, read-only or writable; `resume` makes it live. Queued
    /// I/O is kept.
    public func reload(name: String, sizeSectors: UInt64, table: MultipathTable, readOnly: Bool = false) throws(DeviceMapperError) {
        try run(DM_DEVICE_RELOAD, "reload \(name)", name: name) { dmt in
            (!readOnly || dm_task_set_ro(dmt) != 0) && dm_task_no_flush(dmt) != 0
                && dm_task_add_target(dmt, 0, sizeSectors, "multipath", table.description) != 0
        } result: { _ in
        }
    }

    /// Resumes the map, swapping in a loaded table; queued I/O is kept, not failed. A reload's flags go
    /// here: the reload itself makes no uevent.
    public func resume(_ name: String, udevFlags: MapUdevFlags = []) throws(DeviceMapperError) {
        try run(DM_DEVICE_RESUME, "resume \(name)", name: name, udev: udevFlags) {
            dm_task_no_flush($0) != 0
        } result: { _ in
        }
    }

    /// Suspends the map without flushing queued I/O. Waits for I/O in flight on its paths.
    public func suspend(_ name: String) throws(DeviceMapperError) {
        try run(DM_DEVICE_SUSPEND, "suspend \(name)", name: name) {
            dm_task_no_flush($0) != 0
        } result: { _ in
        }
    }

    /// Removes the map (or a partition map); `.busy` while it is open. `deferred`: an open map is
    /// removed by the kernel when its last opener closes it (DM_DEFERRED_REMOVE), and the call succeeds.
    public func remove(_ name: String, deferred: Bool) throws(DeviceMapperError) {
        try run(DM_DEVICE_REMOVE, "remove \(name)", name: name, udev: []) { dmt in
            !deferred || dm_task_deferred_remove(dmt) != 0
        } result: { _ in
        }
    }

    /// Renames the map; udev renames its /dev/mapper node.
    public func rename(_ name: String, to newName: String, udevFlags: MapUdevFlags = []) throws(DeviceMapperError) {
        try run(DM_DEVICE_RENAME, "rename \(name) to \(newName)", name: name, udev: udevFlags) {
            dm_task_set_newname($0, newName) != 0
        } result: { _ in
        }
    }

    /// Sends a target message; `.busy` while the map is suspended.
    public func send(_ message: MultipathMessage, to name: String) throws(DeviceMapperError) {
        try run(DM_DEVICE_TARGET_MSG, "message '\(message)' to \(name)", name: name) { dmt in
            dm_task_set_sector(dmt, 0) != 0 && dm_task_set_message(dmt, message.description) != 0
        } result: { _ in
        }
    }

    // MARK: The task

    private func run<T>(
        _ type: Int, _ what: String, name: String? = nil,
        _ result: (OpaquePointer) throws(DeviceMapperError) -> T
    ) throws(DeviceMapperError) -> T {
        try run(type, what, name: name, configure: { _ in true }, result: result)
    }

    /// Creates a task, names it, lets `configure` fill it, runs it and reads the answer with `result`.
    /// `udev` (nil: no uevent is expected) are the flags for udev's rules.
    private func run<T>(
        _ type: Int, _ what: String, name: String?, udev: MapUdevFlags? = nil,
        configure: (OpaquePointer) -> Bool,
        result: (OpaquePointer) throws(DeviceMapperError) -> T
    ) throws(DeviceMapperError) -> T {
        // Fails without a usable kernel driver too (libdevmapper checks its version first and logs why).
        guard let dmt = dm_task_create(Int32(type)) else { throw .failed(what, nil) }
        defer { dm_task_destroy(dmt) }
        if let name, dm_task_set_name(dmt, name) == 0 { throw .failed(what, .invalidArgument) }
        guard configure(dmt) else { throw .failed(what, .invalidArgument) }
        if let udev {
            var cookie: UInt32 = 0
            guard dm_task_set_cookie(dmt, &cookie, Self.cookieFlags(udev)) != 0 else { throw .failed(what, nil) }
        }
        guard dm_task_run(dmt) != 0 else {
            let e = dm_task_get_errno(dmt)
            switch e {
            case EBUSY: throw .busy(what)
            case ENXIO: throw .noSuchMap(what)
            default: throw .failed(what, e == 0 ? nil : Errno(rawValue: e))
            }
        }
        // Runs the node operations libdevmapper queued; with the udev flag above they only record
        // that udev owns the nodes.
        if udev != nil { dm_task_update_nodes() }
        return try result(dmt)
    }

    /// The cookie's flags: multipath's subsystem flags as 0.9.4 numbers them (`MPATH_UDEV_*_FLAG`).
    public static func cookieFlags(_ flags: MapUdevFlags) -> UInt16 {
        var bits = UInt32(DM_UDEV_DISABLE_LIBRARY_FALLBACK)
        if flags.contains(.reload) { bits |= UInt32(DM_SUBSYSTEM_UDEV_FLAG0) }
        if flags.contains(.noKpartx) { bits |= UInt32(DM_SUBSYSTEM_UDEV_FLAG1) }
        if flags.contains(.noPaths) { bits |= UInt32(DM_SUBSYSTEM_UDEV_FLAG2) }
        return UInt16(bits)
    }
}
