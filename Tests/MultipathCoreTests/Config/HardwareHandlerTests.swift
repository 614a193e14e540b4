import MultipathCore
import MultipathRegex
import Testing

/// The table's hardware handler, chosen as 0.9.4's select_hwhandler: the kernel's attached handler,
/// then the configuration, with `1 alua` following the paths' TPGS.
@Suite struct HardwareHandlerTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var testDescription: String
        var config = ""
        var vendor = "Linux"
        var tpgs: [Int] = [1, 1]
        var attached: String? = nil
        var expected: String?
    }

    static let cases: [Case] = [
        Case(testDescription: "ALUA paths, handler attached by the kernel", attached: "alua", expected: "1 alua"),
        Case(testDescription: "ALUA paths, nothing attached or configured: autodetected", expected: "1 alua"),
        Case(testDescription: "one path without TPGS", tpgs: [1, 0], expected: nil),
        Case(testDescription: "no TPGS at all", tpgs: [0, 0], expected: nil),
        Case(
            testDescription: "the attached handler wins over the configured one",
            config: "devices {\n device {\n vendor Linux\n product .*\n hardware_handler \"1 rdac\"\n }\n}", attached: "alua",
            expected: "1 alua"),
        Case(
            testDescription: "retain_attached_hw_handler no: the configured one",
            config:
                "defaults {\n retain_attached_hw_handler no\n}\ndevices {\n device {\n vendor Linux\n product .*\n hardware_handler \"1 rdac\"\n }\n}",
            attached: "alua", expected: "1 rdac"),
        Case(testDescription: "built-in 1 alua (LIO-ORG) dropped without TPGS", vendor: "LIO-ORG", tpgs: [0, 0], expected: nil),
        Case(testDescription: "built-in 1 alua (LIO-ORG) kept with TPGS", vendor: "LIO-ORG", expected: "1 alua")
    ]

    @Test(arguments: cases) func handler(_ c: Case) {
        let (config, diagnostics) = ConfigLoader.load(main: ("/etc/multipath.conf", c.config), confD: [], regex: .glibc)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let paths = c.tpgs.enumerated().map { i, tpgs in
            PathIdentity(
                name: "sd\(i)", devT: DevT(major: 8, minor: UInt32(16 * i)), vendor: c.vendor, product: "disk",
                wwid: "3600a", tpgs: tpgs, attachedHandler: c.attached)
        }
        #expect(config.mapSettings(wwid: "3600a", paths: paths).hardwareHandler(for: paths) == c.expected)
    }
}
