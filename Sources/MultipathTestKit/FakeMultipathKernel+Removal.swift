import MultipathCore
import MultipathSystem

/// kpartx's partition maps on the fake kernel's maps, open counts, and removes (deferred or not), as
/// device-mapper has them.
extension FakeMultipathKernel {
    /// Something (a filesystem, `exec 3</dev/mapper/NAME`) holds the map or partition map open, or lets it go. The last close
    /// of a device whose removal was deferred removes it, and its map if that was held only by it, with
    /// a udev remove uevent each but no DM event (as the kernel); returns those uevents.
    @discardableResult
    public func setOpen(_ name: String, _ open: Bool) -> [Uevent] {
        maps[name]?.isOpen = open
        partitionMaps[name]?.isOpen = open
        guard !open, deferredRemovals.contains(name), openCount(name) == 0 else { return [] }
        return drop(name, event: false)
    }

    /// `kpartx -a`: partition `number` of the map, named as kpartx names it (`mpatha-part1`).
    @discardableResult
    public func addPartitionMap(_ number: Int, on map: String) -> String {
        let name = "\(map)-part\(number)"
        partitionMaps[name] = PartitionMap(map: map, number: number, devT: DevT(major: 253, minor: UInt32(1000 + partitionMaps.count)))
        return name
    }

    /// Open by someone, and by each of its partition maps.
    func openCount(_ name: String) -> Int {
        if let p = partitionMaps[name] { return p.isOpen ? 1 : 0 }
        return (maps[name]?.isOpen == true ? 1 : 0) + partitionMaps.values.filter { $0.map == name }.count
    }

    public func deviceTables() throws(DeviceMapperError) -> [DMDeviceTable] {
        let mapTables = maps.map { n, m in
            DMDeviceTable(
                name: n, uuid: m.uuid, devT: m.devT, openCount: openCount(n),
                targets: [.init(type: "multipath", params: m.table.description)])
        }
        let partitionTables = partitionMaps.map { n, p in
            DMDeviceTable(
                name: n, uuid: "part\(p.number)-\(maps[p.map]?.uuid ?? "")", devT: p.devT, openCount: openCount(n),
                targets: [.init(type: "linear", params: "\(maps[p.map]?.devT ?? DevT(major: 0, minor: 0)) 2048")])
        }
        return (mapTables + partitionTables).sorted { $0.name < $1.name }
    }

    public func remove(_ name: String, deferred: Bool) throws(DeviceMapperError) {
        guard maps[name] != nil || partitionMaps[name] != nil else { throw .noSuchMap("remove \(name)") }
        guard openCount(name) == 0 else {
            guard deferred else { throw .busy("remove \(name)") }
            deferredRemovals.insert(name)
            return
        }
        drop(name, event: true)
    }

    /// The device goes; `event`: with a DM event (a remove ioctl), not for a deferred removal.
    @discardableResult
    func drop(_ name: String, event: Bool) -> [Uevent] {
        removes += 1
        let devT = maps.removeValue(forKey: name)?.devT
        let partition = partitionMaps.removeValue(forKey: name)
        deferredRemovals.remove(name)
        if event, events.pending == 0 { events.markReadable() }
        let gone = (devT ?? partition?.devT).map { d in
            Uevent(action: .remove, sysname: "dm-\(d.minor)", devnode: "/dev/dm-\(d.minor)", devnum: d, properties: [("DM_NAME", name)])
        }
        // A partition map held its map open.
        guard let map = partition?.map, deferredRemovals.contains(map), openCount(map) == 0 else { return gone.map { [$0] } ?? [] }
        return (gone.map { [$0] } ?? []) + drop(map, event: event)
    }
}
