/// A message to a `multipath` target (`dmsetup message <map> 0 <text>`). Group numbers are one-based.
public enum MultipathMessage: Hashable, Sendable, CustomStringConvertible {
    case failPath(DevT)
    case reinstatePath(DevT)
    case switchGroup(Int)
    case enableGroup(Int)
    case disableGroup(Int)
    case queueIfNoPath
    case failIfNoPath
    /// Device-mapper's own message (any device, partition maps too): keep a device whose removal was deferred.
    case cancelDeferredRemove

    /// The text the kernel expects.
    public var description: String {
        switch self {
        case .failPath(let d): "fail_path \(d)"
        case .reinstatePath(let d): "reinstate_path \(d)"
        case .switchGroup(let n): "switch_group \(n)"
        case .enableGroup(let n): "enable_group \(n)"
        case .disableGroup(let n): "disable_group \(n)"
        case .queueIfNoPath: "queue_if_no_path"
        case .failIfNoPath: "fail_if_no_path"
        case .cancelDeferredRemove: "@cancel_deferred_remove"
        }
    }

    /// Reads a message in the kernel's spelling (the kernel ignores case; so does this).
    public init?(_ text: some StringProtocol) {
        let w = text.split(separator: " ")
        switch (w.first?.lowercased(), w.count) {
        case ("queue_if_no_path", 1): self = .queueIfNoPath
        case ("fail_if_no_path", 1): self = .failIfNoPath
        case ("@cancel_deferred_remove", 1): self = .cancelDeferredRemove
        case ("fail_path", 2):
            guard let d = DevT(w[1]) else { return nil }
            self = .failPath(d)
        case ("reinstate_path", 2):
            guard let d = DevT(w[1]) else { return nil }
            self = .reinstatePath(d)
        case ("switch_group", 2):
            guard let n = Int(w[1]), n > 0 else { return nil }
            self = .switchGroup(n)
        case ("enable_group", 2):
            guard let n = Int(w[1]), n > 0 else { return nil }
            self = .enableGroup(n)
        case ("disable_group", 2):
            guard let n = Int(w[1]), n > 0 else { return nil }
            self = .disableGroup(n)
        default: return nil
        }
    }
}
