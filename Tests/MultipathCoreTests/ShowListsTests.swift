import MultipathRegex
import Testing

@testable import MultipathCore

/// Golden tests for `show blacklist`, `show devices`, `show status` with orphans and `show config local`.
/// The fixtures are what Debian's multipathd 0.9.4 printed in the lab (lab/golden/capture-debian-show.sh)
/// over scsi_debug with two LUNs of two paths each (sda, sdd: LUN 0; sdb, sdc: LUN 1): "builtin" without
/// a configuration file (find_multipaths strict: four orphans), "lists" with Fixtures/debian-0.9.4/lists.conf
/// (LUN 1's WWID blacklisted: one map of sda and sdd).
@Suite struct ShowListsTests {
    static let lun0 = "1Linux_scsi_debug_2000", lun1 = "1Linux_scsi_debug_2001"
    /// In the order the kernel lists /sys/block there.
    static let names = ["sda", "sdb", "sdd", "sdc"]

    static func lists() throws -> Config {
        let (config, diagnostics) = ConfigLoader.load(
            main: ("/etc/multipath.conf", try ShowFormatTests.fixture("lists", ext: "conf")), confD: [], regex: .glibc)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        return config
    }

    static func identity(_ name: String) -> PathIdentity {
        let minor = UInt32(16 * (Int(name.unicodeScalars.last!.value) - 97))
        let lun: UInt64 = name == "sdb" || name == "sdc" ? 1 : 0
        return PathIdentity(
            name: name, devT: DevT(major: 8, minor: minor),
            hctl: HCTL(host: name == "sda" || name == "sdb" ? 0 : 1, channel: 0, target: 0, lun: lun),
            vendor: "Linux", product: "scsi_debug", revision: "0191", wwid: lun == 0 ? lun0 : lun1,
            serial: lun == 0 ? "2000" : "2001", sizeSectors: 32768, transport: .scsi(.unspecified))
    }

    static let choice = MultipathsTests.choice

    /// `show config local` without the lines where we differ on purpose (docs/config-differences.md) and
    /// `verbosity`, which 0.9.4 takes from the daemon's -v (the fixture's ran with -v3).
    static func comparable(_ config: String) -> [Substring] {
        let skipped = ConfigComparisonTests.documentedDifferences.map { "\t" + $0.dropFirst("defaults/".count) + " " } + ["\tverbosity "]
        return config.split(separator: "\n").filter { line in !skipped.contains { line.hasPrefix($0) } }
    }

    @Test func blacklistOfTheBuiltinConfiguration() throws {
        #expect(ShowFormat.blacklist(Config.builtin.blacklist) == (try ShowFormatTests.fixture("blacklist-builtin")))
    }

    @Test func blacklistWithFileRulesBeforeTheBuiltinOnes() throws {
        #expect(ShowFormat.blacklist(try Self.lists().blacklist) == (try ShowFormatTests.fixture("blacklist-lists")))
    }

    @Test func devicesAllMonitored() throws {
        #expect(
            ShowFormat.devices(Self.names, monitored: Set(Self.names), blacklist: Config.builtin.blacklist)
                == (try ShowFormatTests.fixture("devices-builtin")))
    }

    @Test func devicesWithBlacklistedAndExceptedNodes() throws {
        #expect(
            ShowFormat.devices(Self.names + ["dm-0"], monitored: ["sda", "sdd"], blacklist: try Self.lists().blacklist)
                == (try ShowFormatTests.fixture("devices-lists")))
    }

    @Test func devicesWithoutAnyRuleAreWhitelisted() {
        #expect(
            ShowFormat.devices(["sdx", "loop0"], monitored: [], blacklist: Config.builtin.blacklist)
                == "available block devices:\n    sdx devnode whitelisted, unmonitored\n    loop0 devnode blacklisted, unmonitored\n")
    }

    /// Orphans count in a state line (pending: never checked) but not in `paths:`; blacklisted devices
    /// are not kept at all.
    @Test func statusOfOrphans() throws {
        var e = Multipaths(config: .builtin)
        for name in Self.names { _ = e.addPath(Self.identity(name), udevProperties: nil, choice: Self.choice, now: MultipathsTests.t0) }
        let s = e.showSnapshot(dmMinors: [:], now: MultipathsTests.t0)
        #expect(s.paths.count == 4)
        #expect(ShowFormat.status(s.paths, busy: false) == (try ShowFormatTests.fixture("status-orphans")))
        // An orphan's dev_st is `unknown` whatever sysfs says, as 0.9.4 prints it.
        #expect(e.pathSnapshots(now: MultipathsTests.t0).allSatisfy { $0.deviceState == nil })
    }

    @Test func statusLeavesBlacklistedDevicesOut() throws {
        var e = Multipaths(config: try Self.lists())
        for name in Self.names { _ = e.addPath(Self.identity(name), udevProperties: nil, choice: Self.choice, now: MultipathsTests.t0) }
        for name in ["sda", "sdd"] { _ = e.checkerFinished(Self.identity(name).devT, MultipathsTests.up, now: MultipathsTests.t0) }
        let s = e.showSnapshot(dmMinors: [:], now: MultipathsTests.t0)
        #expect(s.paths.map(\.identity.name) == ["sda", "sdd"])
        #expect(ShowFormat.status(s.paths, busy: false) == (try ShowFormatTests.fixture("status-lists")))
    }

    @Test func configLocalWithoutMapsOrMatchingDevices() throws {
        var e = Multipaths(config: .builtin)
        for name in Self.names { _ = e.addPath(Self.identity(name), udevProperties: nil, choice: Self.choice, now: MultipathsTests.t0) }
        #expect(Self.comparable(e.localConfigText()) == Self.comparable(try ShowFormatTests.fixture("config-local-builtin")))
    }

    @Test func configLocalKeepsMatchingDevicesAndExistingMaps() throws {
        var e = Multipaths(config: try Self.lists())
        for name in Self.names { _ = e.addPath(Self.identity(name), udevProperties: nil, choice: Self.choice, now: MultipathsTests.t0) }
        for name in ["sda", "sdd"] { _ = e.checkerFinished(Self.identity(name).devT, MultipathsTests.up, now: MultipathsTests.t0) }
        _ = e.commit(now: MultipathsTests.t0)
        #expect(e.maps[WWID(Self.lun0)]?.name == "mpatha")
        #expect(Self.comparable(e.localConfigText()) == Self.comparable(try ShowFormatTests.fixture("config-local-lists")))
    }

    /// `show config`: the same text as 0.9.4's, but for the documented differences.
    @Test func configAsDebianPrintsIt() throws {
        #expect(
            Self.comparable(renderConfig(.builtin, onlyDifferences: false))
                == Self.comparable(try ShowFormatTests.fixture("config-builtin")))
        #expect(
            Self.comparable(renderConfig(try Self.lists(), onlyDifferences: false))
                == Self.comparable(try ShowFormatTests.fixture("config-lists")))
    }
}
