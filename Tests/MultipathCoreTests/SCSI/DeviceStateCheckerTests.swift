import Testing

@testable import MultipathCore

@Suite struct DeviceStateCheckerTests {
    /// 0.9.4's path_offline, which is all its `none` checker says.
    @Test(arguments: [
        ("running", PathState.up), ("offline", .down), ("blocked", .pending), ("quiesce", .pending),
        ("transport-offline", .down), ("created", .down)
    ])
    func deviceStates(state: String, expected: PathState) {
        #expect(CheckerVerdict.scsiDeviceState(state).state == expected)
    }

    @Test func anUnreadableStateIsDown() {
        #expect(CheckerVerdict.scsiDeviceState(nil).state == .down)
        #expect(CheckerVerdict.nvmeControllerState(nil).state == .down)
    }

    /// The NVMe controller states the kernel shows (nvme_sysfs_show_state), as 0.9.4's path_offline
    /// reads them: a link cut takes an NVMe/TCP controller through resetting and connecting, both down.
    @Test(arguments: [
        ("live", PathState.up), ("new", .pending), ("deleting", .pending), ("deleting (no IO)", .pending),
        ("resetting", .down), ("connecting", .down), ("dead", .down), ("unknown state", .down)
    ])
    func nvmeControllerStates(state: String, expected: PathState) {
        #expect(CheckerVerdict.nvmeControllerState(state).state == expected)
    }
}
