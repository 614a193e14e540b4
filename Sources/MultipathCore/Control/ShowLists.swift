/// `show blacklist`, `show devices` and `show status` as 0.9.4 prints them.
extension ShowFormat {
    /// `show blacklist`: per criterion the blacklist then the exceptions, each rule with its origin;
    /// rules from the files come before the built-in ones, as they are stored.
    public static func blacklist(_ b: Blacklist) -> String {
        var out = ""
        func rules(_ list: [(text: String, fromFile: Bool)]) {
            if list.isEmpty { out += "        <empty>\n" }
            for r in list { out += (r.fromFile ? "        (config file rule) " : "        (default rule)     ") + r.text + "\n" }
        }
        func plain(_ list: [Blacklist.Rule]) -> [(text: String, fromFile: Bool)] {
            list.map { ($0.text, $0.location != nil) }
        }
        func devices(_ list: [Blacklist.DeviceRule]) -> [(text: String, fromFile: Bool)] {
            list.map { ("\($0.vendor?.text ?? ""):\($0.product?.text ?? "")", ($0.vendor ?? $0.product)?.location != nil) }
        }
        let sections: [(String, [(text: String, fromFile: Bool)], [(text: String, fromFile: Bool)])] = [
            ("device node", plain(b.blacklist.devnode), plain(b.exceptions.devnode)),
            ("udev property", plain(b.blacklist.property), plain(b.exceptions.property)),
            ("protocol", plain(b.blacklist.protocols), plain(b.exceptions.protocols)),
            ("wwid", plain(b.blacklist.wwid), plain(b.exceptions.wwid)),
            ("device", devices(b.blacklist.device), devices(b.exceptions.device))
        ]
        for (title, black, except) in sections {
            out += "\(title) rules:\n- blacklist:\n"
            rules(black)
            out += "- exceptions:\n"
            rules(except)
        }
        return out
    }

    /// `show devices`: every entry of /sys/block in the order given (0.9.4 prints udev's order).
    /// A monitored device is one the daemon keeps as a path (in a map or an orphan it did not
    /// blacklist); for the others only the device node rules are consulted. The two spaces after a
    /// monitored name are 0.9.4's.
    public static func devices(_ names: [String], monitored: Set<String>, blacklist: Blacklist) -> String {
        var out = "available block devices:\n"
        for name in names {
            if monitored.contains(name) {
                out += "    \(name)  devnode whitelisted, monitored\n"
            } else {
                let listed =
                    blacklist.verdict(
                        devnode: name, vendor: nil, product: nil, protocol: nil, wwid: nil,
                        udevProperties: nil, uidAttribute: nil) != .accepted
                out += "    \(name) devnode \(listed ? "blacklisted" : "whitelisted"), unmonitored\n"
            }
        }
        return out
    }

    /// `show status`: how many paths are in each checker state (states with none are left out), then
    /// the paths the checker watches. As 0.9.4: an orphan (a path seen and not blacklisted, in no map)
    /// counts in a state line but not in `paths:`. 0.9.4 gives it the verdict of the one check it made
    /// when it found the path: pending when its asynchronous TUR had not answered within its short wait
    /// (most of them in the lab), else up. We never check orphans: theirs is pending.
    public static func status(_ paths: [PathSnapshot], busy: Bool) -> String {
        var out = "path checker states:\n"
        let states = paths.map { $0.checkerState ?? .pending }
        for state in PathState.allCases {
            let n = states.count { $0 == state }
            if n > 0 { out += state.rawValue + String(repeating: " ", count: max(0, 20 - state.rawValue.count)) + "\(n)\n" }
        }
        return out + "\npaths: \(paths.count { $0.checkerState != nil })\nbusy: \(busy ? "True" : "False")\n"
    }
}
