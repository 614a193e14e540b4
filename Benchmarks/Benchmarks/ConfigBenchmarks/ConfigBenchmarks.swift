import Benchmark
import BenchmarkSupport
import MultipathCore
import MultipathRegex

/// A 5,000-line multipath.conf: defaults, 200 blacklisted WWIDs, 500 device entries, 150 multipaths.
let largeConfiguration: String = {
    var lines = ["defaults {", "    user_friendly_names yes", "    find_multipaths smart", "    polling_interval 10", "}", "blacklist {"]
    for i in 0..<200 { lines.append("    wwid \"^3600bad\(i)\"") }
    lines += ["}", "devices {"]
    for i in 0..<500 {
        lines += [
            "    device {", "        vendor \"VEND\(i)\"", "        product \"(MODEL|DISK)-\(i % 7)[0-9]*\"",
            "        path_grouping_policy group_by_prio", "        prio alua", "        no_path_retry \(i % 30 + 1)",
            "        failback immediate", "    }"
        ]
    }
    lines += ["}", "multipaths {"]
    for i in 0..<150 { lines += ["    multipath {", "        wwid 3600a0b80000\(i)", "        alias db\(i)", "    }"] }
    lines.append("}")
    while lines.count < 5000 { lines.append("# padding") }
    return lines.joined(separator: "\n")
}()

/// 10,000 paths over built-in, user and unknown hardware; 300 WWIDs, half of them in `multipaths`.
let manyPaths: [PathIdentity] = {
    let vendors = ["3PARdata", "DGC", "NETAPP", "HITACHI", "IBM", "PURE", "NVMe", "VEND17", "VEND499", "NoSuchVendor"]
    return (0..<10_000).map { i in
        PathIdentity(
            name: "sd\(i)", devT: DevT(major: 8, minor: UInt32(i)), vendor: vendors[i % vendors.count],
            product: i % 3 == 0 ? "MODEL-3\(i)" : "VV", revision: "0001", wwid: "3600a0b80000\(i % 300)",
            transport: .scsi(.fcp))
    }
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = benchmarkConfiguration()

    Benchmark("Config: load built-in table + 5,000-line configuration") { benchmark in
        for _ in benchmark.scaledIterations {
            let (config, diagnostics) = ConfigLoader.load(main: ("/etc/multipath.conf", largeConfiguration), confD: [], regex: .glibc)
            precondition(diagnostics.isEmpty && config.hardware.count == 623)
            blackHole(config)
        }
    }

    // What the daemon does for a new path: its settings, its map's settings, its blacklist verdict.
    Benchmark("Config: resolve 10,000 paths (path + map settings + blacklist)") { benchmark in
        let (config, _) = ConfigLoader.load(main: ("/etc/multipath.conf", largeConfiguration), confD: [], regex: .glibc)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for p in manyPaths {
                let path = config.pathSettings(for: p)
                let map = config.mapSettings(wwid: p.wwid!, hardwareMatches: path.hardwareMatches)
                blackHole(path.pathChecker)
                blackHole(path.prio)
                blackHole(map.noPathRetry)
                blackHole(map.pathGroupingPolicy)
                blackHole(
                    config.blacklistVerdict(
                        for: p, udevProperties: ["ID_SERIAL", "SCSI_IDENT_LUN_NAA_REG"],
                        uidAttribute: path.uidAttribute.value))
            }
        }
        benchmark.stopMeasurement()
    }
}
