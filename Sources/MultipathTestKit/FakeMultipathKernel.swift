import MultipathCore
import MultipathReactor
import MultipathSystem

/// Plays the kernel under the daemon: SCSI paths (udev events, sysfs attributes, sg and directio
/// completions through the reactor's timers) and device-mapper (maps with tables, per-path A/F state,
/// current group, queueing, messages and events). Time is the reactor's clock.
public final class FakeMultipathKernel: MultipathDeviceMapper, DMEventSource, PathIO {
    public enum Behavior: Hashable {
        case good
        /// The device is offline: commands end with ENXIO.
        case offline
        /// Commands are taken and never completed.
        case hang
        /// ALUA standby: NOT READY 04/0B.
        case standby
    }

    public final class Path {
        public let name: String
        public let devT: DevT
        public var wwid: String
        public var behavior: Behavior = .good
        /// What `block/<name>/size` says, in 512-byte sectors.
        public var sizeSectors: UInt64 = 32768
        /// `device/access_state` for prio sysfs; nil: no alua handler attached.
        public var accessState: String?
        /// How long its commands take; nil: the kernel's `latency`.
        public var latency: Duration?
        /// `ro`: the disk is read-only.
        public var readOnly = false
        /// Where the disk sits under `devices/` (`.../host5/rport-5:0-2/target5:0:0/5:0:0:0/block/sda`): its
        /// uevent's DEVPATH, for a transport; nil: none given (an unknown transport).
        public var devPath: String?
        /// udev's multipath rules claimed the disk: its uevents carry `DM_MULTIPATH_DEVICE_PATH=1`.
        public var claimedByUdev = false
        /// udev's rules did not finish with the disk: its uevents lack ID_SERIAL and ID_WWN.
        public var udevIncomplete = false
        /// The WWID the device itself reports (INQUIRY VPD 0x83, a NAA designator: `3` then 16 or 8
        /// bytes in hex) when it differs from udev's `wwid`: the LUN behind the path was replaced.
        public var deviceWWID: String?
        /// What the next PERSISTENT RESERVE OUT commands answer, one each, instead of registering the key.
        public var reservationOutResults: [SCSIResult] = []
        /// An NVMe path's ANA state, as its controller's ANA log page says it (group 1, namespace 1);
        /// nil: the controller reports no ANA (Identify Controller CMIC bit 3 clear).
        public var anaState: ANAState?
        /// NVMe admin commands received (`identify controller`, `get log page ANA`), in order.
        public fileprivate(set) var nvmeAdminCommands: [String] = []
        /// Commands received, and those still outstanding (never completed, for `.hang`).
        public fileprivate(set) var commands = 0
        public fileprivate(set) var outstanding = 0
        /// Reads of the device's sysfs attributes through `deviceAttribute` (a failing path's probe).
        public fileprivate(set) var attributeReads = 0
        /// Directio reads received, and the most that were out at once.
        public fileprivate(set) var reads = 0
        public fileprivate(set) var mostReadsOut = 0
        fileprivate var readsOut = 0
        init(name: String, devT: DevT, wwid: String) {
            self.name = name
            self.devT = devT
            self.wwid = wwid
        }
    }

    public struct Map {
        public var uuid: String
        public var devT: DevT
        public var sizeSectors: UInt64
        public var table: MultipathTable
        public var active: [DevT: Bool]
        public var currentGroup: Int
        public var queueing: Bool
        public var eventNumber: UInt32 = 0
        /// Held open (by a filesystem, say): remove answers EBUSY.
        public var isOpen = false
        public var readOnly = false
    }

    /// A kpartx partition map: a `linear` table over its map, UUID `part<N>-` and the map's UUID.
    public struct PartitionMap {
        public var map: String
        public var number: Int
        public var devT: DevT
        public var isOpen = false
    }

    /// Persistent reservation keys registered on each LUN (by WWID), per path (I_T nexus).
    public var reservationKeys: [String: [String: UInt64]] = [:]
    /// PERSISTENT RESERVE commands received, in order: `sdb: READ KEYS`, `sdb: REGISTER 0x1234 aptpl`.
    public var reservationCommands: [String] = []

    /// Whose clock and timers complete commands; a restarted daemon brings its own.
    public var reactor: Reactor
    public var latency = Duration.milliseconds(1)
    public private(set) var paths: [String: Path] = [:]
    public internal(set) var maps: [String: Map] = [:]
    /// Maps whose messages answer EBUSY (suspended).
    public var busyMaps: Set<String> = []
    /// Maps suspended by `suspend` (messages answer EBUSY until `resume`).
    public private(set) var suspended: Set<String> = []
    /// Partitions (`sda1`) and their holders (`dm-7`), as sysfs lists them.
    public var partitionHolders: [String: [String]] = [:]
    /// Other sysfs attributes by path (`block/sda/queue/max_sectors_kb`), as the daemon reads and writes them.
    public var attributes: [String: String] = [:]
    public internal(set) var partitionMaps: [String: PartitionMap] = [:]
    /// Open maps removed with DM_DEFERRED_REMOVE: they go when their last opener closes them.
    public internal(set) var deferredRemovals: Set<String> = []
    public private(set) var creates = 0
    public private(set) var reloads = 0
    public internal(set) var removes = 0
    public private(set) var renames = 0
    public private(set) var messages: [(map: String, message: MultipathMessage, at: Instant)] = []
    /// The udev flags each create, resume and rename carried, in order (`create mpatha [no-paths]`).
    public private(set) var udevFlagLog: [String] = []
    /// Uevents asked for through sysfs `uevent` files, in order (`change sda`).
    public private(set) var triggeredUevents: [String] = []
    /// The next creates the kernel refuses (a path held open by another user, say).
    public var failingCreates = 0
    /// Where udev's `change` uevent for a map goes after a create or a resume, as udev sends it once its
    /// rules ran; none while `holdMapUevents` (udev is slow, or lost the event).
    public weak var udev: FakeUeventSource?
    public var holdMapUevents = false
    let events = ReadinessPipe()
    private var nextMinor: UInt32 = 0
    private var staged: [String: (size: UInt64, table: MultipathTable, readOnly: Bool)] = [:]

    public init(reactor: Reactor) { self.reactor = reactor }

    // MARK: Paths and udev

    /// A new SCSI disk `name` (8:minor) for `wwid`; returns the add uevent udev would send.
    @discardableResult
    public func addPath(_ name: String, wwid: String) -> Uevent {
        let devT = DevT(major: 8, minor: nextMinor)
        nextMinor += 16
        paths[name] = Path(name: name, devT: devT, wwid: wwid)
        return uevent(.add, name)
    }

    public func path(_ devT: DevT) -> Path? { paths.values.first { $0.devT == devT } }

    /// The device is gone (and its I_T nexus with its reservation key); returns its remove uevent.
    public func removePath(_ name: String) -> Uevent {
        let e = uevent(.remove, name)
        if let wwid = paths[name]?.wwid { reservationKeys[wwid]?[name] = nil }
        paths[name] = nil
        return e
    }

    public func uevent(_ action: Uevent.Action, _ name: String) -> Uevent {
        let p = paths[name]!
        return Uevent(
            action: action, sysname: name, devnode: "/dev/\(name)", devnum: p.devT,
            properties: [
                ("DEVNAME", "/dev/\(name)"), ("DEVTYPE", "disk"), ("SUBSYSTEM", "block"), ("MAJOR", "\(p.devT.major)"),
                ("MINOR", "\(p.devT.minor)"), ("ID_VENDOR", "FAKE"), ("ID_MODEL", "disk")
            ] + (p.udevIncomplete ? [] : [("ID_SERIAL", p.wwid), ("ID_WWN", p.wwid)])
                + (p.claimedByUdev ? [("DM_MULTIPATH_DEVICE_PATH", "1")] : [])
                + (p.devPath.map { [("DEVPATH", "/\($0)")] } ?? []))
    }

    /// The disk turns read-only or writable (as `set_disk_ro` after a revalidation finds the write-protect
    /// bit changed); returns the change uevent, with DISK_RO, that the kernel sends.
    public func setReadOnly(_ name: String, _ readOnly: Bool) -> Uevent {
        paths[name]!.readOnly = readOnly
        var e = uevent(.change, name)
        e.properties.append(("DISK_RO", readOnly ? "1" : "0"))
        return e
    }

    /// Every disk as the enumeration at start reports it.
    public func enumerate() -> [Uevent] { paths.keys.sorted().map { uevent(.add, $0) } }

    public var sysfs: SysfsReader {
        { [unowned self] file in
            if let value = attributes[file] { return Array((value + "\n").utf8) }
            var parts = file.split(separator: "/").map(String.init)
            // A disk's own directory under devices/ is its block/ entry.
            if let p = paths.values.first(where: { $0.devPath.map { file.hasPrefix($0 + "/") } ?? false }) {
                parts = ["block", p.name] + parts.dropFirst(p.devPath!.split(separator: "/").count)
            }
            guard parts.count >= 3, parts[0] == "block", let p = paths[parts[1]] else { return nil }
            let attribute = parts.dropFirst(2).joined(separator: "/")
            if p.name.hasPrefix("nvme") { return Self.nvmeAttribute(attribute, p).map { Array(($0 + "\n").utf8) } }
            let text: String?
            switch attribute {
            case "size": text = "\(p.sizeSectors)"
            case "queue/logical_block_size": text = "512"
            case "device/timeout": text = "30"
            case "device/state": text = p.behavior == .offline ? "offline" : "running"
            case "device/access_state": text = p.accessState
            case "ro": text = p.readOnly ? "1" : "0"
            default: text = nil
            }
            return text.map { Array(($0 + "\n").utf8) }
        }
    }

    /// An NVMe/TCP namespace's own attributes and its controller's (`device/`): an offline one is a
    /// controller trying to reconnect after its link went down.
    private static func nvmeAttribute(_ attribute: String, _ p: Path) -> String? {
        switch attribute {
        case "size": "\(p.sizeSectors)"
        case "queue/logical_block_size": "512"
        case "wwid": p.wwid
        case "ro": p.readOnly ? "1" : "0"
        case "device/state": p.behavior == .offline ? "connecting" : "live"
        case "device/model": "Linux"
        case "device/serial": "5a1f7e0058"
        case "device/firmware_rev": "6.1.0-28"
        case "device/transport": "tcp"
        case "nsid": "1"
        default: nil
        }
    }

    /// The host side of the daemon: this kernel's disks and sysfs, files kept in `files`.
    public func host(files: FakeFiles) -> DaemonHost {
        DaemonHost(
            enumerate: { [unowned self] () throws(SystemError) in enumerate() }, sysfs: sysfs,
            writeFile: { (path: String, text: String) throws(SystemError) in files.contents[path] = text },
            appendFile: { (path: String, text: String, header: String) throws(SystemError) in
                files.contents[path] = (files.contents[path].flatMap { $0.isEmpty ? nil : $0 } ?? header) + text
            },
            random: { 5 }, blockDevices: { [unowned self] in paths.keys.sorted() }, readFile: { files.contents[$0] },
            listSysfs: { [unowned self] dir in
                let parts = dir.split(separator: "/").map(String.init)
                guard parts.first == "block", parts.count >= 2 else { return [] }
                if parts.count == 2 { return partitionHolders.keys.filter { $0.hasPrefix(parts[1]) }.sorted() + ["device", "size"] }
                return parts.count == 4 && parts[3] == "holders" ? partitionHolders[parts[2]] ?? [] : []
            },
            writeSysfs: { [unowned self] file, value in
                guard attributes[file] != nil else { return .failed("no such attribute") }
                attributes[file] = value
                return .written
            },
            triggerUevent: { [unowned self] (disk: String, action: Uevent.Action) throws(SystemError) in
                triggeredUevents.append("\(action) \(disk)")
                if paths[disk] != nil { udev?.push(uevent(action, disk)) }
            },
            failedWWIDs: {
                files.contents.keys.filter { $0.hasPrefix(Self.failedWWIDs) }.map { String($0.dropFirst(Self.failedWWIDs.count)) }
            },
            markFailedWWID: { files.contents[Self.failedWWIDs + $0] = "" },
            unmarkFailedWWID: { files.contents[Self.failedWWIDs + $0] = nil })
    }

    /// Where `host(files:)` keeps failed WWIDs among the files.
    public static let failedWWIDs = FailedWWIDsDirectory.path + "/"

    // MARK: PathIO

    public func attach(_ path: PathIdentity) -> String? {
        paths[path.name] == nil ? "\(path.name) has no sg device" : nil
    }

    public func submit(_ command: SCSICommand, to devT: DevT, timeout: Duration, completion: @escaping (CommandOutcome) -> Void) {
        guard let p = path(devT) else { return complete(after: latency) { completion(.deviceGone("gone")) } }
        p.commands += 1
        if p.behavior == .hang {
            p.outstanding += 1
            // As SGDevice: the command is reported timed out at its deadline; the kernel never returns it.
            return complete(after: timeout) { completion(.timedOut) }
        }
        complete(after: p.latency ?? latency) { [weak p] in
            // A disk removed while its command was out: the command fails as on a vanished device.
            guard let p else { return completion(.deviceGone("gone")) }
            switch p.behavior {
            case .good where command.cdb.starts(with: [0x12, 0x01, 0x83]):
                completion(.completed(SCSIResult(data: Self.deviceIdentification(p.deviceWWID ?? p.wwid))))
            case .good where command.cdb.first == 0x5E || command.cdb.first == 0x5F:
                completion(.completed(self.persistentReserve(command, p)))
            case .good, .hang: completion(.completed(.good))
            case .offline: completion(.deviceGone("write: No such device or address"))
            case .standby: completion(.completed(SCSIResult(status: 0x02, sense: [0x70, 0, 0x02, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x04, 0x0b])))
            }
        }
    }

    /// READ KEYS lists the LUN's keys; REGISTER AND IGNORE EXISTING KEY registers the path's.
    private func persistentReserve(_ command: SCSICommand, _ p: Path) -> SCSIResult {
        guard command.cdb[0] == 0x5F else {
            reservationCommands.append("\(p.name): READ KEYS")
            let keys = (reservationKeys[p.wwid] ?? [:]).keys.sorted().compactMap { reservationKeys[p.wwid]?[$0] }
            var data: [UInt8] = [0, 0, 0, 1] + Self.bigEndian(UInt64(keys.count * 8)).suffix(4)
            for k in keys { data += Self.bigEndian(k) }
            return SCSIResult(data: data)
        }
        let parameters = command.outgoing
        let key = parameters[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        reservationCommands.append("\(p.name): REGISTER 0x\(String(key, radix: 16))\(parameters[20] & 1 == 1 ? " aptpl" : "")")
        if !p.reservationOutResults.isEmpty { return p.reservationOutResults.removeFirst() }
        reservationKeys[p.wwid, default: [:]][p.name] = key
        return .good
    }

    private static func bigEndian(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> UInt64(56 - 8 * $0)) } }

    /// VPD page 0x83 with one logical-unit NAA designator for a `3<hex>` WWID; empty for any other.
    static func deviceIdentification(_ wwid: String) -> [UInt8] {
        let digits = Array(wwid.utf8.dropFirst())
        guard wwid.hasPrefix("3"), digits.count % 2 == 0 else { return [] }
        let id = stride(from: 0, to: digits.count, by: 2).compactMap {
            UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)
        }
        guard id.count * 2 == digits.count else { return [] }
        return [0x00, 0x83, 0x00, UInt8(4 + id.count), 0x01, 0x03, 0x00, UInt8(id.count)] + id
    }

    public func directRead(_ devT: DevT, length: Int, timeout: Duration, completion: @escaping (DirectReadOutcome) -> Void) {
        if let p = path(devT) {
            p.reads += 1
            p.readsOut += 1
            p.mostReadsOut = max(p.mostReadsOut, p.readsOut)
        }
        submit(.read10(lba: 0, blockSize: length), to: devT, timeout: timeout) { [weak self] outcome in
            if let p = self?.path(devT) { p.readsOut -= 1 }
            switch outcome {
            case .completed(let r) where r.isGood: completion(.finished(bytes: length, expected: length))
            case .timedOut: completion(.timedOut)
            default: completion(.ioError(code: 5, description: "Input/output error"))
            }
        }
    }

    /// As an nvmet controller answers: ANA groups whose ids may change (ANACAP bit 6 clear), so the
    /// log lists NSIDs; a controller that is not live refuses the open of its char device.
    public func nvmeAdmin(
        _ command: NVMeAdminCommand, to devT: DevT, timeout: Duration, completion: @escaping (NVMeAdminOutcome) -> Void
    ) {
        guard let p = path(devT), p.name.hasPrefix("nvme") else { return completion(.failed("\(devT) is not an attached NVMe namespace")) }
        p.nvmeAdminCommands.append(command.name)
        switch p.behavior {
        case .hang: return complete(after: timeout + .seconds(1)) { completion(.timedOut) }
        case .offline: return completion(.failed("open /dev/nvme: Resource temporarily unavailable"))
        case .good, .standby: break
        }
        var data = [UInt8](repeating: 0, count: command.dataLength)
        switch command.opcode {
        case 0x06 where command.cdw[0] == 1:
            data[76] = p.anaState == nil ? 0x03 : 0x0B
            data[343] = 0x1F
            data[348] = 1  // NANAGRPID
            data[540] = 1  // MNAN
        case 0x02:
            let group: [UInt8] = [1, 0, 0, 0, 1, 0, 0, 0] + [UInt8](repeating: 0, count: 8) + [p.anaState?.rawValue ?? 0]
            let log: [UInt8] =
                [0, 0, 0, 0, 0, 0, 0, 0, 1] + [UInt8](repeating: 0, count: 7) + group + [UInt8](repeating: 0, count: 15) + [1, 0, 0, 0]
            data.replaceSubrange(0..<min(log.count, data.count), with: log.prefix(data.count))
        default: break
        }
        complete(after: p.latency ?? latency) { completion(.completed(data)) }
    }

    public func deviceAttribute(_ devT: DevT, _ name: String) -> [UInt8]? {
        guard let p = path(devT) else { return nil }
        p.attributeReads += 1
        return sysfs("block/\(p.name)/device/\(name)")
    }

    public func detach(_ devT: DevT) {}

    private func complete(after d: Duration, _ body: @escaping () -> Void) {
        reactor.schedule(earliest: reactor.now + d, name: "fake completion", body)
    }

    // MARK: Device-mapper

    public var fileDescriptor: FileDescriptor { events.readEnd }

    /// The next `armPoll` or `listDevices` calls fail with these, one per call (ENOMEM, say).
    public var dmEventFailures: [Errno] = []

    public func armPoll() throws(SystemError) {
        if !dmEventFailures.isEmpty { throw SystemError("DM_DEV_ARM_POLL", dmEventFailures.removeFirst()) }
        events.drain()
    }

    public func listDevices() throws(SystemError) -> [DMDevice] {
        if !dmEventFailures.isEmpty { throw SystemError("DM_LIST_DEVICES", dmEventFailures.removeFirst()) }
        return maps.keys.sorted().map { n in DMDevice(name: n, devT: maps[n]!.devT, eventNumber: maps[n]!.eventNumber, uuid: maps[n]!.uuid)
        }
    }

    private func event(_ name: String) {
        maps[name]?.eventNumber += 1
        if events.pending == 0 { events.markReadable() }
    }

    /// The kernel fails a path after an I/O error on it.
    public func kernelFails(_ pathName: String) {
        let devT = paths[pathName]!.devT
        for name in maps.keys.sorted() where maps[name]!.active[devT] == true {
            maps[name]!.active[devT] = false
            leaveDeadGroup(name)
            event(name)
        }
    }

    /// With I/O, the kernel leaves a group with no active path for the next one that has one.
    private func leaveDeadGroup(_ name: String) {
        guard let m = maps[name], m.currentGroup >= 1, m.currentGroup <= m.table.groups.count else { return }
        let alive = { (g: Int) in m.table.groups[g - 1].paths.contains { m.active[$0.devT!] == true } }
        if !alive(m.currentGroup), let next = (1...m.table.groups.count).first(where: alive) { maps[name]!.currentGroup = next }
    }

    public func multipathMaps() throws(DeviceMapperError) -> [DMMapInfo] {
        maps.keys.sorted().map { n in
            let m = maps[n]!
            return DMMapInfo(
                name: n, uuid: m.uuid, devT: m.devT, eventNumber: m.eventNumber, openCount: m.isOpen ? 1 : 0,
                isSuspended: suspended.contains(n), hasLiveTable: true, hasInactiveTable: staged[n] != nil, isReadOnly: m.readOnly)
        }
    }

    /// As the kernel prints it: the selector's own path argument count, queueing as it is now.
    public func table(_ name: String) throws(DeviceMapperError) -> (sizeSectors: UInt64, table: MultipathTable) {
        guard let m = maps[name] else { throw .noSuchMap("table \(name)") }
        var t = m.table
        t.features = t.features.filter { $0 != "queue_if_no_path" } + (m.queueing ? ["queue_if_no_path"] : [])
        for g in t.groups.indices where t.groups[g].selector == "service-time" && t.groups[g].pathArgCount == 1 {
            t.groups[g].pathArgCount = 2
            for p in t.groups[g].paths.indices { t.groups[g].paths[p].args.append("1") }
        }
        return (m.sizeSectors, t)
    }

    public func status(_ name: String) throws(DeviceMapperError) -> MultipathStatus {
        guard let m = maps[name] else { throw .noSuchMap("status \(name)") }
        return MultipathStatus(
            features: [m.queueing ? "1" : "0", "0"], currentGroup: m.currentGroup,
            groups: m.table.groups.enumerated().map { (i, g) in
                MultipathStatus.GroupStatus(
                    state: i + 1 == m.currentGroup ? .active : .enabled,
                    paths: g.paths.map { MultipathStatus.PathStatus(device: $0.device, isActive: m.active[$0.devT!] ?? false) })
            })
    }

    public func create(
        name: String, wwid: String, sizeSectors: UInt64, table: MultipathTable, readOnly: Bool, udevFlags: MapUdevFlags
    ) throws(DeviceMapperError) {
        guard maps[name] == nil else { throw .failed("create \(name)", Errno(rawValue: 17)) }
        if failingCreates > 0 {
            failingCreates -= 1
            throw .busy("create \(name)")
        }
        creates += 1
        udevFlagLog.append("create \(name) \(udevFlags)")
        defer { mapUevent(name) }
        maps[name] = Map(
            uuid: DMMapInfo.multipathUUIDPrefix + wwid, devT: DevT(major: 253, minor: UInt32(creates)), sizeSectors: sizeSectors,
            table: table, active: Dictionary(uniqueKeysWithValues: table.pathDevices.map { (DevT($0)!, true) }),
            currentGroup: table.initialGroup, queueing: table.queueIfNoPath, readOnly: readOnly)
        event(name)
    }

    public func reload(name: String, sizeSectors: UInt64, table: MultipathTable, readOnly: Bool) throws(DeviceMapperError) {
        guard maps[name] != nil else { throw .noSuchMap("reload \(name)") }
        reloads += 1
        staged[name] = (sizeSectors, table, readOnly)
    }

    public func suspend(_ name: String) throws(DeviceMapperError) {
        guard maps[name] != nil else { throw .noSuchMap("suspend \(name)") }
        suspended.insert(name)
    }

    public func resume(_ name: String, udevFlags: MapUdevFlags) throws(DeviceMapperError) {
        guard maps[name] != nil else { throw .noSuchMap("resume \(name)") }
        udevFlagLog.append("resume \(name) \(udevFlags)")
        defer { mapUevent(name) }
        suspended.remove(name)
        guard let (size, table, readOnly) = staged.removeValue(forKey: name) else { return }
        maps[name]!.readOnly = readOnly
        maps[name]!.sizeSectors = size
        maps[name]!.table = table
        maps[name]!.active = Dictionary(uniqueKeysWithValues: table.pathDevices.map { (DevT($0)!, true) })
        maps[name]!.currentGroup = table.initialGroup
        maps[name]!.queueing = table.queueIfNoPath
        event(name)
    }

    private func mapUevent(_ name: String) {
        guard let udev, !holdMapUevents, let m = maps[name] else { return }
        udev.push(
            Uevent(
                action: .change, sysname: "dm-\(m.devT.minor)", devnode: "/dev/dm-\(m.devT.minor)", devnum: m.devT,
                properties: [("DM_NAME", name), ("DM_UUID", m.uuid)]))
    }

    public func rename(_ name: String, to newName: String, udevFlags: MapUdevFlags) throws(DeviceMapperError) {
        guard let m = maps.removeValue(forKey: name) else { throw .noSuchMap("rename \(name)") }
        guard maps[newName] == nil else {
            maps[name] = m
            throw .failed("rename \(name) to \(newName)", Errno(rawValue: 17))
        }
        renames += 1
        udevFlagLog.append("rename \(name) \(udevFlags)")
        maps[newName] = m
        if let t = staged.removeValue(forKey: name) { staged[newName] = t }
        if events.pending == 0 { events.markReadable() }
    }

    public func send(_ message: MultipathMessage, to name: String) throws(DeviceMapperError) {
        if message == .cancelDeferredRemove, maps[name] != nil || partitionMaps[name] != nil {
            messages.append((name, message, reactor.now))
            deferredRemovals.remove(name)
            return
        }
        guard maps[name] != nil else { throw .noSuchMap("message to \(name)") }
        if busyMaps.contains(name) || suspended.contains(name) { throw .busy("message '\(message)' to \(name)") }
        messages.append((name, message, reactor.now))
        switch message {
        case .failPath(let d):
            maps[name]!.active[d] = false
            leaveDeadGroup(name)
        case .reinstatePath(let d): maps[name]!.active[d] = true
        case .switchGroup(let n): maps[name]!.currentGroup = n
        case .queueIfNoPath: maps[name]!.queueing = true
        case .failIfNoPath: maps[name]!.queueing = false
        case .enableGroup, .disableGroup, .cancelDeferredRemove: break
        }
        event(name)
    }

    /// Messages sent so far, as text (`mpatha: fail_path 8:0`).
    public var messageLog: [String] { messages.map { "\($0.map): \($0.message)" } }
}

/// Files the daemon writes (bindings, wwids), kept in memory.
public final class FakeFiles {
    public var contents: [String: String] = [:]
    public init() {}
}
