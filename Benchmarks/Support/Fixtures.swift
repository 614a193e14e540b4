import MultipathCore
import MultipathRegex

/// Engines and paths for the benchmarks: scsi_debug-like disks, two ALUA-like priorities per map
/// (even paths 50, odd paths 10), so `group_by_prio` makes two groups of every map.
public enum Fixtures {
    public static let t0 = Instant(nanoseconds: 1_000_000_000)
    public static let up = CheckerVerdict(.up, "TUR good")
    public static let down = CheckerVerdict(.down, "path offline")

    public static func config(_ defaults: String = "find_multipaths no\npath_grouping_policy group_by_prio") -> Config {
        let (config, diagnostics) = ConfigLoader.load(
            main: ("/etc/multipath.conf", "defaults {\n\(defaults)\n}\n"), confD: [], regex: .glibc)
        precondition(diagnostics.isEmpty, "\(diagnostics)")
        return config
    }

    public static func wwid(_ map: Int) -> String { "3600a0b8000\(map)" }

    /// The kernel's name for disk `index`: sda ... sdz, sdaa ... (the default blacklist takes other names).
    public static func diskName(_ index: Int) -> String {
        var n = index + 1
        var letters: [UInt8] = []
        while n > 0 {
            n -= 1
            letters.insert(UInt8(ascii: "a") + UInt8(n % 26), at: 0)
            n /= 26
        }
        return "sd" + String(decoding: letters, as: UTF8.self)
    }

    /// Path `index` (8:index) of map `map`.
    public static func path(_ index: Int, map: Int) -> PathIdentity {
        PathIdentity(
            name: diskName(index), devT: DevT(major: 8, minor: UInt32(index)),
            hctl: HCTL(host: index % 4, channel: 0, target: 0, lun: UInt64(map)),
            vendor: "Linux", product: "scsi_debug", revision: "0191", wwid: wwid(map), serial: wwid(map),
            sizeSectors: 32768, transport: .scsi(.sas), tpgs: 1)
    }

    public static func priority(_ index: Int) -> Int { index % 2 == 0 ? 50 : 10 }

    /// `detect_prio` picks `alua` for these TPGS paths: a prioritizer that answers asynchronously, so every
    /// path's priority comes through `priorityFinished`.
    public static func choice(_ path: PathIdentity, _ config: Config) -> PathChoice {
        PathChoice.select(path, config.pathSettings(for: path), hasAccessState: false, checkerTimeout: .seconds(30))
    }

    /// An engine with `maps` maps of `pathsPerMap` paths, built as the daemon builds them from a start-up
    /// burst: every add, then every path's first check, then every priority. Returns the actions' count.
    public static func build(maps: Int, pathsPerMap: Int, into engine: inout Multipaths) -> Int {
        var actions = 0
        let paths = (0..<maps * pathsPerMap).map { path($0, map: $0 / pathsPerMap) }
        for p in paths { actions += engine.addPath(p, udevProperties: nil, choice: choice(p, engine.config), now: t0).count }
        for p in paths { actions += engine.checkerFinished(p.devT, up, now: t0).count }
        for (i, p) in paths.enumerated() { actions += engine.priorityFinished(p.devT, priority(i), now: t0).count }
        return actions
    }

    /// The same engine built one map at a time (add, check and prioritize its paths, then the next map).
    public static func engine(maps: Int, pathsPerMap: Int) -> Multipaths {
        var engine = Multipaths(config: config())
        for map in 0..<maps {
            let paths = (map * pathsPerMap..<(map + 1) * pathsPerMap).map { path($0, map: map) }
            for p in paths { _ = engine.addPath(p, udevProperties: nil, choice: choice(p, engine.config), now: t0) }
            for p in paths { _ = engine.checkerFinished(p.devT, up, now: t0) }
            for (i, p) in zip(paths.indices, paths) { _ = engine.priorityFinished(p.devT, priority(map * pathsPerMap + i), now: t0) }
        }
        precondition(engine.maps.count == maps)
        return engine
    }
}
