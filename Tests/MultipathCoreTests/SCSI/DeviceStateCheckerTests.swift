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
    }
}
