/// A device event as udev reports it, after its rules ran (so ID_SERIAL and friends are set).
public struct Uevent: Equatable, Sendable {
    public enum Action: Hashable, Sendable, CustomStringConvertible {
        case add, remove, change, move, online, offline, bind, unbind
        case other(String)

        public init(_ text: String) {
            switch text {
            case "add": self = .add
            case "remove": self = .remove
            case "change": self = .change
            case "move": self = .move
            case "online": self = .online
            case "offline": self = .offline
            case "bind": self = .bind
            case "unbind": self = .unbind
            default: self = .other(text)
            }
        }

        public var description: String {
            switch self {
            case .add: "add"
            case .remove: "remove"
            case .change: "change"
            case .move: "move"
            case .online: "online"
            case .offline: "offline"
            case .bind: "bind"
            case .unbind: "unbind"
            case .other(let s): s
            }
        }
    }

    public var action: Action
    /// Kernel name, e.g. "sdb" or "dm-0".
    public var sysname: String
    /// "/dev/sdb", when the device has a node.
    public var devnode: String?
    public var devnum: DevT?
    /// The udev properties in the order udev gave them.
    public var properties: [(name: String, value: String)]

    public init(
        action: Action, sysname: String, devnode: String? = nil, devnum: DevT? = nil, properties: [(name: String, value: String)] = []
    ) {
        self.action = action
        self.sysname = sysname
        self.devnode = devnode
        self.devnum = devnum
        self.properties = properties
    }

    public subscript(property name: String) -> String? {
        properties.first { $0.name == name }?.value
    }

    /// The WWID multipath-tools uses by default: udev's ID_SERIAL (its default `uid_attribute`), else the
    /// raw ID_WWN. The config issue makes the attribute configurable.
    public var wwid: String? {
        self[property: "ID_SERIAL"] ?? self[property: "ID_WWN"]
    }

    public static func == (a: Uevent, b: Uevent) -> Bool {
        a.action == b.action && a.sysname == b.sysname && a.devnode == b.devnode && a.devnum == b.devnum
            && a.properties.elementsEqual(b.properties) { $0.name == $1.name && $0.value == $1.value }
    }
}
