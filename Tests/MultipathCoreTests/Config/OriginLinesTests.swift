import MultipathCore
import MultipathRegex
import Testing

@Suite struct OriginLinesTests {
    @Test func eachLineSaysTheValueAndWhereItCameFrom() {
        let (config, _) = ConfigLoader.load(main: ("/etc/multipath.conf", "defaults {\n\tfailback 15\n}\n"), confD: [], regex: .glibc)
        let settings = config.mapSettings(wwid: "3600a", paths: [])
        #expect(
            settings.originLines([.failback, .rr_weight]) == [
                "failback = 15 (setting: multipath.conf defaults/devices section)",
                "rr_weight = \"uniform\" (setting: multipath internal)"
            ])
    }

    @Test func aKeywordNothingSetsIsLeftOut() {
        let settings = Config.builtin.mapSettings(wwid: "3600a", paths: [])
        #expect(settings.originLines([.hardware_handler]).isEmpty)
    }
}
