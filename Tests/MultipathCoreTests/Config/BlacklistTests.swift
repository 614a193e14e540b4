import MultipathRegex
import Testing

@testable import MultipathCore

@Suite struct BlacklistTests {
    static let config = ConfigLoader.load(
        main: (
            "/etc/multipath.conf",
            """
            blacklist {
                wwid "^3600a"
                devnode "^sdz"
                property "ID_BLOCKME"
                protocol "scsi:sas"
                device {
                    vendor "ACME"
                    product "!^Keep"
                }
            }
            blacklist_exceptions {
                wwid "^3600a0"
                devnode "\\!x"
            }
            """
        ), confD: [], regex: .glibc
    ).0

    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var devnode = "sda", vendor = "V", product = "P", proto = "scsi:fcp", wwid: String? = "36001"
        var properties: [String]? = ["ID_SERIAL", "SCSI_IDENT_LUN_NAA_REG"]
        var verdict: BlacklistVerdict
    }

    static let cases: [Case] = [
        Case(description: "ordinary scsi disk", verdict: .accepted),
        Case(description: "dm devnode", devnode: "dm-3", verdict: .blacklisted(.devnode, rule: "!^(sd[a-z]|dasd[a-z]|nvme[0-9])")),
        Case(description: "nvme devnode", devnode: "nvme0n1", verdict: .accepted),
        Case(description: "user devnode", devnode: "sdz", verdict: .blacklisted(.devnode, rule: "^sdz")),
        Case(description: "wwid", wwid: "3600b1", verdict: .accepted),
        Case(description: "wwid blacklisted", wwid: "3600a1", verdict: .blacklisted(.wwid, rule: "^3600a")),
        Case(description: "wwid excepted", wwid: "3600a01", verdict: .accepted),
        Case(description: "wwid unknown yet", wwid: nil, verdict: .accepted),
        Case(description: "protocol", proto: "scsi:sas", verdict: .blacklisted(.protocol, rule: "scsi:sas")),
        Case(description: "inverted product", vendor: "ACME", product: "Other", verdict: .blacklisted(.device, rule: "ACME:!^Keep")),
        Case(description: "inverted product kept", vendor: "ACME", product: "Keeper", verdict: .accepted),
        Case(description: "product_blacklist", vendor: "DGC", product: "LUNZ", verdict: .blacklisted(.device, rule: "^DGC:LUNZ")),
        Case(
            description: "product_blacklist of rdac", vendor: "IBM", product: "Universal Xport",
            verdict: .blacklisted(.device, rule: "IBM:Universal Xport")),
        Case(
            description: "blacklisted property", properties: ["ID_BLOCKME", "ID_WWN"], verdict: .blacklisted(.property, rule: "ID_BLOCKME")),
        Case(description: "exception first wins", properties: ["ID_WWN", "ID_BLOCKME"], verdict: .accepted),
        Case(description: "uid attribute without whitelisted property", properties: ["ID_SERIAL", "DEVTYPE"], verdict: .missingProperty),
        Case(description: "no uid attribute: not blacklisted for missing properties", properties: ["DEVTYPE"], verdict: .accepted),
        Case(
            description: "property before devnode", devnode: "dm-1", properties: ["ID_BLOCKME"],
            verdict: .blacklisted(.property, rule: "ID_BLOCKME"))
    ]

    @Test(arguments: cases)
    func verdict(_ c: Case) {
        let v = Self.config.blacklist.verdict(
            devnode: c.devnode, vendor: c.vendor, product: c.product, protocol: c.proto,
            wwid: c.wwid, udevProperties: c.properties, uidAttribute: "ID_SERIAL")
        #expect(v == c.verdict)
    }

    @Test func escapedBangIsLiteral() {
        #expect(Self.config.blacklist.exceptions.devnode.first.map { $0.matches("a!x") && !$0.matches("x") } == true)
    }

    @Test func pathVerdictUsesTheResolvedUidAttribute() {
        // NVMe entries use ID_WWN: a path with ID_SERIAL only is not "missing" its uid attribute.
        let nvme = PathIdentity(name: "nvme0n1", devT: DevT(major: 259, minor: 0), vendor: "NVMe", product: "X", transport: .nvme(.pcie))
        #expect(Config.builtin.blacklistVerdict(for: nvme, udevProperties: ["ID_SERIAL"]) == .accepted)
        let sd = PathIdentity(name: "sda", devT: DevT(major: 8, minor: 0), vendor: "X", product: "Y")
        #expect(Config.builtin.blacklistVerdict(for: sd, udevProperties: ["ID_SERIAL"]) == .missingProperty)
    }

    /// An NVMe path's protocol is its controller's transport, as 0.9.4 names it: `protocol "nvme:tcp"`
    /// takes NVMe/TCP paths and leaves PCIe ones; the overrides' protocol section matches it too.
    @Test func nvmeTransportsAreProtocols() {
        let (config, _) = ConfigLoader.load(
            main: (
                "/etc/multipath.conf",
                "blacklist {\n protocol \"nvme:tcp\"\n}\noverrides {\n protocol {\n  type \"nvme:pcie\"\n  fast_io_fail_tmo 7\n }\n}\n"
            ), confD: [], regex: .glibc)
        func path(_ transport: Transport) -> PathIdentity {
            PathIdentity(
                name: "nvme0n1", devT: DevT(major: 259, minor: 0), vendor: "NVME", product: "X", wwid: "uuid.1", transport: transport)
        }
        #expect(config.blacklistVerdict(for: path(.nvme(.tcp)), udevProperties: ["ID_WWN"]) == .blacklisted(.protocol, rule: "nvme:tcp"))
        #expect(config.blacklistVerdict(for: path(.nvme(.pcie)), udevProperties: ["ID_WWN"]) == .accepted)
        #expect(config.pathSettings(for: path(.nvme(.pcie))).fastIOFailTimeout?.origin == .overridesProtocolSection)
        #expect(config.pathSettings(for: path(.nvme(.rdma))).fastIOFailTimeout?.origin != .overridesProtocolSection)
    }

    @Test func builtinRulesAreThoseOf094() {
        let b = Config.builtin.blacklist
        #expect(b.blacklist.devnode.map(\.text) == ["!^(sd[a-z]|dasd[a-z]|nvme[0-9])"])
        #expect(b.exceptions.property.map(\.text) == ["(SCSI_IDENT_|ID_WWN)"])
        #expect(b.blacklist.device.count == 14)
    }
}
