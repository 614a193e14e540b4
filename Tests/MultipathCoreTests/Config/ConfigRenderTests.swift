import MultipathRegex
import Testing

@testable import MultipathCore

@Suite struct ConfigRenderTests {
    static func load(_ main: String?, _ confD: [(String, String)] = []) -> Config {
        ConfigLoader.load(main: main.map { ("/etc/multipath.conf", $0) }, confD: confD, regex: .glibc).0
    }

    static let samplePaths = [
        PathIdentity(
            name: "sda", devT: DevT(major: 8, minor: 0), vendor: "3PARdata", product: "VV", wwid: "360000000000000000e00000000010001"),
        PathIdentity(name: "sdb", devT: DevT(major: 8, minor: 16), vendor: "DGC", product: "VRAID", wwid: "36001", transport: .scsi(.fcp)),
        PathIdentity(name: "sdc", devT: DevT(major: 8, minor: 32), vendor: "ACME", product: "Disk9", revision: "1.2", wwid: "36002"),
        PathIdentity(
            name: "nvme0n1", devT: DevT(major: 259, minor: 0), vendor: "NVMe", product: "X", wwid: "eui.1", transport: .nvme(.pcie)),
        PathIdentity(name: "sdd", devT: DevT(major: 8, minor: 48), vendor: "NETAPP", product: "LUN C-Mode", wwid: "36003")
    ]

    static func resolvedEqual(_ a: Config, _ b: Config) {
        for p in samplePaths {
            let (pa, pb) = (a.pathSettings(for: p), b.pathSettings(for: p))
            let (ma, mb) = (a.mapSettings(wwid: p.wwid!, paths: [p]), b.mapSettings(wwid: p.wwid!, paths: [p]))
            for k in ConfigSection.device.keywords + ConfigSection.multipath.keywords {
                #expect(pa.value(k).map(\.value) == pb.value(k).map(\.value), "\(k) for \(p.vendor)")
                #expect(ma.value(k).map(\.value) == mb.value(k).map(\.value), "\(k) for \(p.vendor)")
            }
        }
    }

    @Test(arguments: ConfigComparisonTests.cases)
    func printThenParseGivesTheSameConfiguration(_ c: ConfigComparisonTests.Case) {
        let config = Self.load(c.main, c.confD)
        let text = renderConfig(config, onlyDifferences: false)
        let (again, diagnostics) = ConfigLoader.load(main: ("/etc/multipath.conf", text), confD: [], regex: .glibc)
        #expect(!diagnostics.contains { $0.severity == .error })
        #expect(renderConfig(again, onlyDifferences: false) == text)
        Self.resolvedEqual(config, again)
    }

    @Test(arguments: ConfigComparisonTests.cases)
    func differencesOnTopOfTheBuiltinsGiveTheSameConfiguration(_ c: ConfigComparisonTests.Case) {
        let config = Self.load(c.main, c.confD)
        let again = Self.load(renderConfig(config, onlyDifferences: true))
        #expect(renderConfig(again, onlyDifferences: false) == renderConfig(config, onlyDifferences: false))
        Self.resolvedEqual(config, again)
    }

    @Test func onlyDifferencesOfTheBuiltinConfigurationIsEmptySections() {
        #expect(
            renderConfig(Config.builtin, onlyDifferences: true) == """
                defaults {
                }
                blacklist {
                }
                blacklist_exceptions {
                }
                devices {
                }
                overrides {
                }

                """)
    }

    @Test func onlyDifferencesShowsWhatTheFileChanged() {
        let c = Self.load(
            "defaults {\n polling_interval 5\n failback immediate\n}\ndevices {\n device {\n  vendor \"3PARdata\"\n  product \"VV\"\n  failback manual\n }\n}"
        )
        let text = renderConfig(c, onlyDifferences: true)
        #expect(text.contains("\tfailback \"immediate\"\n") && !text.contains("polling_interval"))
        #expect(text.contains("\t\tvendor \"3PARdata\"\n\t\tproduct \"VV\"\n\t\tpath_grouping_policy \"group_by_prio\"\n"))
    }

    @Test func quotesAreDoubledWhenPrinted() {
        let c = Self.load("devices {\n device {\n  vendor \"A\"\n  product \"2.5\"\" SSD\"\n }\n}")
        #expect(renderConfig(c, onlyDifferences: true).contains("product \"2.5\"\" SSD\""))
    }
}
