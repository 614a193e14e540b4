import MultipathRegex
import Testing

@testable import MultipathCore

@Suite struct ConfigResolutionTests {
    static func path(
        _ vendor: String, _ product: String, revision: String = "0001", wwid: String? = "36001",
        transport: Transport = .scsi(.fcp)
    ) -> PathIdentity {
        PathIdentity(
            name: "sdb", devT: DevT(major: 8, minor: 16), vendor: vendor, product: product, revision: revision,
            wwid: wwid, transport: transport)
    }

    static let layered = ConfigLoader.load(
        main: (
            "/etc/multipath.conf",
            """
            defaults {
                no_path_retry 1
                failback 11
                prio_args "defaults-args"
                dev_loss_tmo 100
            }
            devices {
                device {
                    vendor "ACME"
                    product "Box"
                    no_path_retry 2
                    failback 12
                    rr_min_io 22
                    prio "alua"
                    prio_args "device-args"
                    dev_loss_tmo 200
                }
            }
            overrides {
                no_path_retry 3
                dev_loss_tmo 300
                protocol {
                    type "scsi:fcp"
                    dev_loss_tmo 400
                }
            }
            multipaths {
                multipath {
                    wwid 36001
                    no_path_retry 4
                    prio "const"
                }
            }
            """
        ), confD: [], regex: .glibc
    ).0

    static let f = "/etc/multipath.conf"

    /// (keyword, path or map, wwid, transport, expected rendered value, origin, line)
    static let precedence: [(ConfigKeyword, Bool, String, Transport, String, SettingOrigin, Int?)] = [
        (.no_path_retry, false, "36001", .scsi(.fcp), "4", .multipathsSection, 30),
        (.no_path_retry, false, "other", .scsi(.fcp), "3", .overridesSection, 20),
        (.failback, false, "36001", .scsi(.fcp), "12", .deviceConfiguration, 12),
        (.rr_min_io, false, "36001", .scsi(.fcp), "22", .deviceConfiguration, 13),
        (.rr_min_io_rq, false, "36001", .scsi(.fcp), "1", .internalDefault, nil),
        (.dev_loss_tmo, true, "36001", .scsi(.fcp), "400", .overridesProtocolSection, 24),
        (.dev_loss_tmo, true, "36001", .scsi(.iscsi), "300", .overridesSection, 21),
        (.prio, true, "36001", .scsi(.fcp), "\"const\"", .multipathsSection, 31),
        (.prio, true, "other", .scsi(.fcp), "\"alua\"", .deviceConfiguration, 14),
        (.path_checker, true, "36001", .scsi(.fcp), "\"tur\"", .internalDefault, nil)
    ]

    @Test(arguments: precedence)
    func precedenceAndOrigin(_ c: (ConfigKeyword, Bool, String, Transport, String, SettingOrigin, Int?)) throws {
        let p = Self.path("ACME", "Box", wwid: c.2, transport: c.3)
        let r = try #require(
            c.1 ? Self.layered.pathSettings(for: p).value(c.0) : Self.layered.mapSettings(wwid: c.2, paths: [p]).value(c.0))
        #expect(c.0.kind.render(r.value) == c.4)
        #expect(r.origin == c.5)
        #expect(r.location == c.6.map { SourceLocation(file: Self.f, line: $0) })
    }

    @Test func originStringsAreThoseOfMultipathTools() {
        #expect(SettingOrigin.deviceConfiguration.description == "(setting: storage device configuration)")
        #expect(SettingOrigin.defaultsSection.description == "(setting: multipath.conf defaults/devices section)")
        #expect(SettingOrigin.internalDefault.description == "(setting: multipath internal)")
        #expect(SettingOrigin.overridesSection.description == "(setting: multipath.conf overrides section)")
        #expect(SettingOrigin.multipathsSection.description == "(setting: multipath.conf multipaths section)")
    }

    @Test func prioArgsFollowThePrioSource() {
        let s = Self.layered.pathSettings(for: Self.path("ACME", "Box", wwid: "other"))
        #expect(s.prio.value == .alua && s.prioArgs.value == "device-args")
        // multipaths sets prio without args: the args are empty, not the device's.
        #expect(Self.layered.pathSettings(for: Self.path("ACME", "Box")).prioArgs.value == "")
        let plain = Self.layered.pathSettings(for: Self.path("Other", "Disk", wwid: "x"))
        // 0.9.4 takes defaults' prio_args only together with a defaults prio.
        #expect(plain.prio.value == .const && plain.prioArgs.value == "" && plain.prio.origin == .internalDefault)
    }

    @Test func typedAccessors() {
        let m = Config.builtin.mapSettings(wwid: "w", paths: [Self.path("3PARdata", "VV")])
        #expect(m.pathGroupingPolicy.value == .groupByPrio && m.failback.value == .immediate)
        #expect(m.noPathRetry.value == .retries(18) && m.hardwareHandler?.value == "1 alua")
        #expect(m.rrWeight.value == .uniform && m.rrWeight.origin == .internalDefault)
        let p = Config.builtin.pathSettings(for: Self.path("3PARdata", "VV"))
        #expect(p.devLossTimeout?.value == .infinity && p.fastIOFailTimeout?.value == .seconds(10))
        #expect(p.isKnownHardware && !Config.builtin.pathSettings(for: Self.path("Nobody", "Disk")).isKnownHardware)
        #expect(Config.builtin.pathSettings(for: Self.path("Nobody", "Disk")).devLossTimeout == nil)
    }

    /// The table is searched from the end and every match contributes; the first that sets a value wins.
    @Test func hardwareMatchOrder() throws {
        let (c, _) = ConfigLoader.load(
            main: (
                "f",
                """
                devices {
                    device {
                        vendor "ACME"
                        product ".*"
                        no_path_retry 10
                        failback 10
                    }
                    device {
                        vendor "AC"
                        product "Box"
                        no_path_retry 20
                    }
                }
                """
            ), confD: [], regex: .glibc)
        let m = c.mapSettings(wwid: "w", paths: [Self.path("ACME", "Box2")])
        #expect(m.noPathRetry.value == .retries(20) && m.failback.value == .deferred(seconds: 10))
        // Unanchored: "AC" matches "XACMEX"; nothing matches a different product for the second entry.
        #expect(c.mapSettings(wwid: "w", paths: [Self.path("XACMEX", "Disk")]).noPathRetry.value == .retries(10))
    }

    @Test func userEntryWithTheSameStringsReplacesTheBuiltin() {
        let (c, _) = ConfigLoader.load(
            main: ("f", "devices {\n device {\n  vendor \"3PARdata\"\n  product \"VV\"\n  failback manual\n }\n}"), confD: [], regex: .glibc
        )
        #expect(c.hardware.count == Config.builtin.hardware.count)
        let last = c.hardware.last!
        #expect(
            !last.isBuiltin && last.settings[.failback]?.value == .failback(.manual)
                && last.settings[.no_path_retry]?.value == .noPathRetry(.retries(18)))
    }

    @Test func revisionMustMatchWhenSet() {
        let (c, _) = ConfigLoader.load(
            main: ("f", "devices {\n device {\n  vendor V\n  product P\n  revision \"^2\"\n  no_path_retry 9\n }\n}"), confD: [],
            regex: .glibc)
        #expect(c.mapSettings(wwid: "w", paths: [Self.path("V", "P", revision: "2.1")]).noPathRetry.value == .retries(9))
        #expect(c.mapSettings(wwid: "w", paths: [Self.path("V", "P", revision: "1.0")]).noPathRetry.value == .fail)
    }

    @Test func maxPollingIntervalDefaultsToPollingInterval() {
        let (c, _) = ConfigLoader.load(main: ("f", "defaults {\n polling_interval 7\n}"), confD: [], regex: .glibc)
        #expect(c.maxPollingInterval == 7 && Config.builtin.maxPollingInterval == 5)
    }

    @Test func multipathsEntriesForOneWWIDMerge() {
        let (c, _) = ConfigLoader.load(
            main: ("f", "multipaths {\n multipath {\n  wwid w\n  alias a\n  failback 5\n }\n multipath {\n  wwid w\n  alias b\n }\n}"),
            confD: [], regex: .glibc)
        let m = c.mapSettings(wwid: "w", paths: [])
        #expect(m.alias?.value == "b" && m.failback.value == .deferred(seconds: 5))
    }

    /// `features` words, as the resolved-once `effectiveNoPathRetry` reads them.
    @Test(arguments: [
        ("1 queue_if_no_path", true), ("queue_if_no_path", true), ("2 pg_init_retries 50 queue_if_no_path", true),
        ("1 queue_if_no_path_x", false), ("0", false), ("", false)
    ])
    func featureWords(_ c: (String, Bool)) {
        #expect(ResolvedMapSettings.containsWord(c.0, "queue_if_no_path") == c.1)
    }
}
