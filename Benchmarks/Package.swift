// swift-tools-version: 6.1
// Benchmarks live in their own package so that the main build does not compile package-benchmark.
import PackageDescription

/// One benchmark executable in `Benchmarks/<name>`, using the shared support and these of our products.
func benchmark(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["BenchmarkSupport", .product(name: "Benchmark", package: "benchmark")]
            + products.map { .product(name: $0, package: "swift-multipathd") },
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}

let package = Package(
    name: "swift-multipathd-benchmarks",
    dependencies: [
        // Named: a path dependency is otherwise known by its folder's name, which differs between checkouts.
        .package(name: "swift-multipathd", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"])
    ],
    targets: [
        // What the benchmarks share: the CI thresholds, and engines with many maps built as a start-up burst.
        .target(
            name: "BenchmarkSupport",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MultipathCore", package: "swift-multipathd"),
                .product(name: "MultipathRegex", package: "swift-multipathd")
            ],
            path: "Support"
        ),
        benchmark("ReactorBenchmarks", ["MultipathReactor", "MultipathSystem"]),
        benchmark("ConfigBenchmarks", ["MultipathCore", "MultipathRegex"]),
        benchmark("EngineBenchmarks", ["MultipathCore"]),
        benchmark("ShowBenchmarks", ["MultipathCore"]),
        benchmark("DaemonBenchmarks", ["MultipathCore", "MultipathDaemon", "MultipathReactor", "MultipathRegex", "MultipathTestKit"])
    ],
    swiftLanguageModes: [.v6]
)
