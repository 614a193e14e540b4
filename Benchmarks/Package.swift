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
        .executableTarget(
            name: "ReactorBenchmarks",
            dependencies: [
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
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MultipathCore", package: "swift-multipathd"),
            ],
            path: "Benchmarks/ConfigBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
