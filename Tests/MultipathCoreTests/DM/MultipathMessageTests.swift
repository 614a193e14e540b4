import MultipathCore
import Testing

@Suite struct MultipathMessageTests {
    static let d = DevT(major: 8, minor: 16)

    @Test(arguments: [
        (MultipathMessage.failPath(d), "fail_path 8:16"),
        (.reinstatePath(d), "reinstate_path 8:16"),
        (.switchGroup(2), "switch_group 2"),
        (.enableGroup(1), "enable_group 1"),
        (.disableGroup(3), "disable_group 3"),
        (.queueIfNoPath, "queue_if_no_path"),
        (.failIfNoPath, "fail_if_no_path"),
        (.cancelDeferredRemove, "@cancel_deferred_remove")
    ])
    func textAndBack(_ message: MultipathMessage, _ text: String) {
        #expect(message.description == text)
        #expect(MultipathMessage(text) == message)
    }

    @Test func caseIsIgnoredLikeTheKernelDoes() {
        #expect(MultipathMessage("FAIL_PATH 8:16") == .failPath(Self.d))
    }

    @Test(arguments: ["", "fail_path", "fail_path sdb", "switch_group 0", "switch_group x", "queue_if_no_path 1", "flush"])
    func rejected(_ text: String) {
        #expect(MultipathMessage(text) == nil)
    }
}
