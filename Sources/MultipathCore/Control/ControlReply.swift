/// Who is on the other end of a control connection (SO_PEERCRED).
public struct PeerCredentials: Hashable, Sendable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }
}

/// The fixed replies, spelled as 0.9.4 spells them: its client sets exit status 1 only on exactly `fail\n`.
public enum ControlReply {
    public static let ok = "ok\n"
    public static let fail = "fail\n"
    public static let timeout = "timeout\n"
    public static let permissionDenied = "permission deny: need to be root\n"
}

extension ControlCommand {
    /// 0.9.4 lets a client that is not root only list and show.
    public func isPermitted(for peer: PeerCredentials) -> Bool {
        peer.uid == 0 || isReadOnly
    }
}
