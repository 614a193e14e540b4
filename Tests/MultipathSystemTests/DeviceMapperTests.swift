import Foundation
import MultipathSystem
import Testing

/// Real maps are tested in the lab; on a machine without device-mapper only the failure path runs.
@Suite struct DeviceMapperTests {
    static let kernelHasDeviceMapper = (try? String(contentsOfFile: "/proc/misc", encoding: .utf8))?.contains("device-mapper") ?? false

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
