import MultipathCore

/// The device-mapper calls the daemon makes: libdevmapper in the daemon, a fake kernel in tests.
public protocol MultipathDeviceMapper: AnyObject {
    func multipathMaps() throws(DeviceMapperError) -> [DMMapInfo]
    func table(_ name: String) throws(DeviceMapperError) -> (sizeSectors: UInt64, table: MultipathTable)
    func status(_ name: String) throws(DeviceMapperError) -> MultipathStatus
    func create(
        name: String, wwid: String, sizeSectors: UInt64, table: MultipathTable, readOnly: Bool, udevFlags: MapUdevFlags
    ) throws(DeviceMapperError)
    func reload(name: String, sizeSectors: UInt64, table: MultipathTable, readOnly: Bool) throws(DeviceMapperError)
    func resume(_ name: String, udevFlags: MapUdevFlags) throws(DeviceMapperError)
    func suspend(_ name: String) throws(DeviceMapperError)
    /// Every device-mapper device with its table, for a map's partitions.
    func deviceTables() throws(DeviceMapperError) -> [DMDeviceTable]
    func remove(_ name: String, deferred: Bool) throws(DeviceMapperError)
    func rename(_ name: String, to newName: String, udevFlags: MapUdevFlags) throws(DeviceMapperError)
    func send(_ message: MultipathMessage, to name: String) throws(DeviceMapperError)
}

extension DeviceMapper: MultipathDeviceMapper {}

/// Commands to paths, for checkers and prioritizers: sg and Linux AIO in the daemon, a fake kernel in
/// tests. Every completion runs later, from the loop, exactly once; nothing here waits.
public protocol PathIO: AnyObject {
    /// Prepares commands to the path (opens its sg device); returns why that failed, or nil.
    func attach(_ path: PathIdentity) -> String?
    func submit(_ command: SCSICommand, to devT: DevT, timeout: Duration, completion: @escaping (CommandOutcome) -> Void)
    /// An O_DIRECT read of the first `length` bytes of the path's block device.
    func directRead(_ devT: DevT, length: Int, timeout: Duration, completion: @escaping (DirectReadOutcome) -> Void)
    /// An NVMe admin command to the controller of the attached NVMe path (io_uring, so a dead link
    /// costs one command out until its own timeout, never a wait).
    func nvmeAdmin(_ command: NVMeAdminCommand, to devT: DevT, timeout: Duration, completion: @escaping (NVMeAdminOutcome) -> Void)
    /// A sysfs attribute of the attached path's SCSI device (`access_state`), as it is now; nil when absent.
    func deviceAttribute(_ devT: DevT, _ name: String) -> [UInt8]?
    /// Closes what `attach` opened; commands still out end as `.deviceGone`.
    func detach(_ devT: DevT)
}

/// What the daemon reads and writes besides the kernel interfaces.
public struct DaemonHost {
    /// The block disks present now, as synthetic `add` uevents.
    public var enumerate: () throws(SystemError) -> [Uevent]
    public var sysfs: SysfsReader
    public var writeFile: (String, String) throws(SystemError) -> Void
    /// (path, text, header): appends text; a new or empty file gets the header first.
    public var appendFile: (String, String, String) throws(SystemError) -> Void
    /// 1...10 for `prio random`.
    public var random: () -> Int
    /// The names in /sys/block, in udev's order (`show devices`).
    public var blockDevices: () -> [String]
    /// A file's text (the prkeys file); nil when it cannot be read.
    public var readFile: (String) -> String?
    /// The entries of a sysfs directory (`block/sda`), for `reset map`.
    public var listSysfs: (String) -> [String]
    /// Sets a sysfs attribute (a path's transport timeouts, `max_sectors_kb`).
    public var writeSysfs: SysfsWriter
    /// Writes `change` or `add` to a disk's sysfs `uevent` (`Sysfs.triggerUevent`).
    public var triggerUevent: (String, Uevent.Action) throws(SystemError) -> Void
    /// /run/multipath/failed_wwids: the WWIDs in it, and marking or unmarking one.
    public var failedWWIDs: () -> [String]
    public var markFailedWWID: (String) throws(SystemError) -> Void
    public var unmarkFailedWWID: (String) throws(SystemError) -> Void

    public init(
        enumerate: @escaping () throws(SystemError) -> [Uevent], sysfs: @escaping SysfsReader,
        writeFile: @escaping (String, String) throws(SystemError) -> Void,
        appendFile: @escaping (String, String, String) throws(SystemError) -> Void, random: @escaping () -> Int,
        blockDevices: @escaping () -> [String], readFile: @escaping (String) -> String? = { _ in nil },
        listSysfs: @escaping (String) -> [String] = { _ in [] },
        writeSysfs: @escaping SysfsWriter = { _, _ in .failed("no sysfs") },
        triggerUevent: @escaping (String, Uevent.Action) throws(SystemError) -> Void = { _, _ in },
        failedWWIDs: @escaping () -> [String] = { [] },
        markFailedWWID: @escaping (String) throws(SystemError) -> Void = { _ in },
        unmarkFailedWWID: @escaping (String) throws(SystemError) -> Void = { _ in }
    ) {
        self.enumerate = enumerate
        self.sysfs = sysfs
        self.blockDevices = blockDevices
        self.writeFile = writeFile
        self.appendFile = appendFile
        self.random = random
        self.readFile = readFile
        self.listSysfs = listSysfs
        self.writeSysfs = writeSysfs
        self.triggerUevent = triggerUevent
        self.failedWWIDs = failedWWIDs
        self.markFailedWWID = markFailedWWID
        self.unmarkFailedWWID = unmarkFailedWWID
    }

    public static var system: DaemonHost {
        let sysfs = Sysfs()
        return DaemonHost(
            enumerate: UdevEnumerator.blockDisks, sysfs: sysfs.reader, writeFile: TextFiles.write,
            appendFile: TextFiles.append(_:_:header:), random: { Int.random(in: 1...10) }, blockDevices: { sysfs.blockDevices() },
            readFile: TextFiles.read, listSysfs: { TextFiles.list(sysfs.root + "/" + $0) }, writeSysfs: sysfs.writer,
            triggerUevent: { (disk: String, action: Uevent.Action) throws(SystemError) in try sysfs.triggerUevent(disk, action) },
            failedWWIDs: { FailedWWIDsDirectory.list() },
            markFailedWWID: { (wwid: String) throws(SystemError) in try FailedWWIDsDirectory.mark(wwid) },
            unmarkFailedWWID: { (wwid: String) throws(SystemError) in try FailedWWIDsDirectory.unmark(wwid) })
    }
}
