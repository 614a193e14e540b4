// swift-tools-version: 6.1
// libFuzzer targets in their own package, so that the main build is unchanged. Build one product at a time
// (run.sh does): `swift build -c release --product NAME -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library`.
import PackageDescription

/// One fuzz executable in `Targets/<name>`.
func fuzzer(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzSupport"] + products.map { .product(name: $0, package: "swift-multipathd") },
        path: "Targets/\(name)"
    )
}

let package = Package(
    name: "swift-multipathd-fuzz",
    dependencies: [
        // Named: a path dependency is otherwise known by its folder's name, which differs between checkouts.
        .package(name: "swift-multipathd", path: "..")
    ],
    targets: [
        // libFuzzer's driver entry point, declared for Swift.
        .target(name: "CFuzzer", path: "CFuzzer"),
        // The driver call and what the targets share: input slicing, the fixed model, failing loudly.
        .target(
            name: "FuzzSupport",
            dependencies: ["CFuzzer", .product(name: "MultipathCore", package: "swift-multipathd")],
            path: "Support"
        ),
        fuzzer("FuzzConfig", ["MultipathCore", "MultipathRegex"]),
        fuzzer("FuzzRegex", ["MultipathCore", "MultipathRegex"]),
        fuzzer("FuzzControl", ["MultipathCore"]),
        fuzzer("FuzzUevent", ["MultipathCore", "MultipathRegex"]),
        fuzzer("FuzzDM", ["MultipathCore"]),
        fuzzer("FuzzSCSI", ["MultipathCore"]),
        fuzzer("FuzzFiles", ["MultipathCore", "MultipathRegex"])
    ],
    swiftLanguageModes: [.v6]
)
