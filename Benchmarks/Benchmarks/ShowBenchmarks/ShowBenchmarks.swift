import Benchmark
import BenchmarkSupport
import MultipathCore

/// 10,000 paths in 2,500 maps of 4 paths (two priority groups each), as `show` sees them.
let engine = Fixtures.engine(maps: 2_500, pathsPerMap: 4)
let dmMinors = Dictionary(uniqueKeysWithValues: engine.maps.values.enumerated().map { ($1.name, UInt32($0)) })
let now = Fixtures.t0 + .seconds(3)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = benchmarkConfiguration()

    // What a show command takes from the model before it formats anything.
    Benchmark("Show: snapshot of 10,000 paths in 2,500 maps") { benchmark in
        blackHole(dmMinors)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let s = engine.showSnapshot(dmMinors: dmMinors, now: now)
            precondition(s.paths.count == 10_000 && s.maps.count == 2_500)
            blackHole(s)
        }
        benchmark.stopMeasurement()
    }

    // What the daemon does for `show paths`: the paths alone, then the table.
    Benchmark("Show: show paths at 10,000 paths (snapshot + format)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(ShowFormat.paths(engine.pathSnapshots(now: now)))
        }
    }

    Benchmark("Show: show paths at 10,000 paths (format only)") { benchmark in
        let paths = engine.showSnapshot(dmMinors: dmMinors, now: now).paths
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(ShowFormat.paths(paths)) }
        benchmark.stopMeasurement()
        precondition(ShowFormat.paths(paths).utf8.count(where: { $0 == 10 }) == 10_001)
    }

    Benchmark("Show: show maps json at 10,000 paths (format only)") { benchmark in
        let maps = engine.showSnapshot(dmMinors: dmMinors, now: now).maps
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(ShowFormat.json(maps: maps)) }
        benchmark.stopMeasurement()
    }
}
