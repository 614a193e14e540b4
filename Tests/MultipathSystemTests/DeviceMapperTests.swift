import Foundation
import MultipathCore
import MultipathSystem
import Testing

/// Real maps are tested in the lab; on a machine without device-mapper only the failure path runs.
@Suite struct DeviceMapperTests {
    static let kernelHasDeviceMapper = (try? String(contentsOfFile: "/proc/misc", encoding: .utf8))?.contains("device-mapper") ?? false

    /// The bits 56-dm-mpath.rules and 60-kpartx.rules read as DM_SUBSYSTEM_UDEV_FLAG0...2, next to
    /// DM_UDEV_DISABLE_LIBRARY_FALLBACK (udev makes the nodes) on every cookie.
    @Test func cookieFlagsAreMultipathsSubsystemFlags() {
        #expect(DeviceMapper.cookieFlags([]) == 0x0020)
        #expect(DeviceMapper.cookieFlags(.reload) == 0x0120)
        #expect(DeviceMapper.cookieFlags(.noKpartx) == 0x0220)
        #expect(DeviceMapper.cookieFlags([.noPaths, .reload]) == 0x0520)
    }

    @Test(.enabled(if: !kernelHasDeviceMapper, "needs a kernel without device-mapper"))
    func withoutTheDriverCallsFailAndLibdevmapperLogsWhy() {
        var lines: [(DMLogLevel, String)] = []
        let dm = DeviceMapper { lines.append(($0, $1)) }
        #expect {
            try dm.multipathMaps()
        } throws: { error in
            guard let e = error as? DeviceMapperError, case .failed(let op, _) = e else { return false }
            return op == "list maps" && !e.isBusy
        }
        #expect(lines.contains { $0.0 <= .error && $0.1.contains("device-mapper") })
    }

    @Test func busyIsDistinguishable() {
        #expect(DeviceMapperError.busy("message 'fail_path 8:16' to mpatha").isBusy)
        #expect(!DeviceMapperError.noSuchMap("remove mpatha").isBusy)
        #expect(DeviceMapperError.busy("remove mpatha").description == "remove mpatha: device busy, retry later")
    }
}
