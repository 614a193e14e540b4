import Benchmark

/// What `check.sh` holds every benchmark to against the committed `reference` baseline. Allocation
/// counts are exact, so a small margin fails no honest run; times on a shared 2-core machine move by 40%
/// or more, so only a median twice the reference's fails. Every measured metric needs an entry: one
/// without falls back to package-benchmark's 5% default.
/// `allocationFree`: the reference allocates nothing, and any allocation fails (a relative margin
/// cannot see a rise from zero).
public func ciThresholds(throughput: Bool = false, allocationFree: Bool = false) -> [BenchmarkMetric: BenchmarkThresholds] {
    var thresholds: [BenchmarkMetric: BenchmarkThresholds] = [
        .wallClock: .init(relative: [.p50: 100]),
        .mallocCountTotal: allocationFree ? .init(absolute: [.p50: 0]) : .init(relative: [.p50: 20]),
    ]
    // Throughput is the inverse of time: half of it is twice the time.
    if throughput { thresholds[.throughput] = .init(relative: [.p50: 50]) }
    return thresholds
}

/// Each target's `Benchmark.defaultConfiguration`.
public func benchmarkConfiguration(throughput: Bool = false) -> Benchmark.Configuration {
    .init(metrics: [.wallClock, .mallocCountTotal] + (throughput ? [.throughput] : []), maxDuration: .seconds(2),
          thresholds: ciThresholds(throughput: throughput))
}
