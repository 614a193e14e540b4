// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swift-multipathd",
    products: [
        .executable(name: "multipathd", targets: ["multipathd"]),
        .library(name: "MultipathCore", targets: ["MultipathCore"]),
        .library(name: "MultipathRegex", targets: ["MultipathRegex"]),
        .library(name: "MultipathSystem", targets: ["MultipathSystem"]),
        .library(name: "MultipathReactor", targets: ["MultipathReactor"]),
        .library(name: "MultipathDaemon", targets: ["MultipathDaemon"]),
        .library(name: "MultipathTestKit", targets: ["MultipathTestKit"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2")
    ],
    targets: [
        // C: what Swift cannot import by itself (epoll, timerfd, signalfd, eventfd, sg, dm-ioctl, libdevmapper's log hook).
        .target(name: "CLinux", linkerSettings: [.linkedLibrary("devmapper")]),
        .systemLibrary(name: "CUdev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),
        .systemLibrary(name: "CDevMapper", pkgConfig: "devmapper", providers: [.apt(["libdevmapper-dev"])]),

        // Pure: no I/O, no clock reads.
        .target(name: "MultipathCore"),
        // glibc's regcomp/regexec behind the core's RegexEngine: Glibc only, so that the core's tests use it too.
        .target(name: "MultipathRegex", dependencies: ["MultipathCore"]),
        // Thin edges over the kernel.
        .target(name: "MultipathSystem", dependencies: ["CLinux", "CUdev", "CDevMapper", "MultipathCore", "MultipathRegex"]),
        // The loop.
        .target(name: "MultipathReactor", dependencies: ["MultipathCore", "MultipathSystem"]),
        // The path edges on the loop: SGPathIO, the deadline timer of in-flight commands (the daemon's and labtool's).
        .target(name: "MultipathPathIO", dependencies: ["MultipathCore", "MultipathSystem", "MultipathReactor"]),
        // Wiring: events in, core decisions, effects out.
        .target(
            name: "MultipathDaemon",
            dependencies: [
                "MultipathCore", "MultipathRegex", "MultipathSystem", "MultipathReactor", "MultipathPathIO",
                .product(name: "Logging", package: "swift-log")
            ]),
        .executableTarget(name: "multipathd", dependencies: ["MultipathDaemon"]),
        // The lab's tool: drives the kernel edges, the SG edge on the reactor, watches and flaps paths.
        .executableTarget(name: "labtool", dependencies: ["MultipathCore", "MultipathSystem", "MultipathReactor", "MultipathPathIO"]),
        // Fakes that play the kernel, a manual clock, fixtures.
        .target(
            name: "MultipathTestKit",
            dependencies: [
                "MultipathCore", "MultipathRegex", "MultipathSystem", "MultipathReactor", .product(name: "Logging", package: "swift-log")
            ]),

        // No MultipathTestKit: the pure core's tests link neither libudev nor libdevmapper.
        .testTarget(name: "MultipathCoreTests", dependencies: ["MultipathCore", "MultipathRegex"], exclude: ["Fixtures"]),
        .testTarget(name: "MultipathSystemTests", dependencies: ["MultipathSystem", "MultipathRegex", "MultipathTestKit"]),
        .testTarget(name: "MultipathReactorTests", dependencies: ["MultipathReactor", "MultipathTestKit"]),
        .testTarget(name: "MultipathPathIOTests", dependencies: ["MultipathPathIO", "MultipathTestKit"]),
        .testTarget(name: "MultipathDaemonTests", dependencies: ["MultipathDaemon", "MultipathTestKit"])
    ],
    swiftLanguageModes: [.v6]
)
