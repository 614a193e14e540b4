// swift-tools-version: 6.1
// Benchmarks live in their own package so that the main build does not compile package-benchmark.
import PackageDescription

let package = Package(
    name: "swift-multipathd-benchmarks",
    dependencies: [
        // Named: a path dependency is otherwise known by its folder's name, which differs between checkouts.
        .package(name: "swift-multipathd", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // What the benchmarks share: the CI thresholds, and engines with many maps built as a start-up burst.
        .target(
            name: "BenchmarkSupport",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MultipathCore", package: "swift-multipathd"),
            ],
            path: "Support"
        ),
        .executableTarget(
            name: "ReactorBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MultipathReactor", package: "swift-multipathd"),
                .product(name: "MultipathSystem", package: "swift-multipathd"),
            ],
            path: "Benchmarks/ReactorBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ConfigBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MultipathCore", package: "swift-multipathd"),
            ],
            path: "Benchmarks/ConfigBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MultipathCore", package: "swift-multipathd"),
            ],
            path: "Benchmarks/EngineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ShowBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MultipathCore", package: "swift-multipathd"),
            ],
            path: "Benchmarks/ShowBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "DaemonBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MultipathCore", package: "swift-multipathd"),
                .product(name: "MultipathDaemon", package: "swift-multipathd"),
                .product(name: "MultipathReactor", package: "swift-multipathd"),
                .product(name: "MultipathTestKit", package: "swift-multipathd"),
            ],
            path: "Benchmarks/DaemonBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
