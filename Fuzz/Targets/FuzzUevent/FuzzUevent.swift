import FuzzSupport
import MultipathCore
import MultipathRegex

/// Uevents and path identity: a burst merged as the daemon merges it, then each device's facts gathered
/// from its properties and sysfs attributes, its identity (again under the `uid_attribute` its settings
/// name), checker and prioritizer, blacklist verdict and what its checks need, as `PathSetup` does.
/// Input: events separated by an empty line; each is `ACTION SYSNAME`, then lines `NAME=VALUE` (a
/// property), `@ATTR=TEXT` or `@ATTR:HEX` (a sysfs attribute; ATTR ends the path the core asks for,
/// e.g. `device/vpd_pg83` or `class/fc_host/host0/port_name`).
@_cdecl("FuzzUevent_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, identifyAll)
}

struct Device {
    var event: Uevent
    var sysfs: [(name: String, value: [UInt8])] = []

    init?(_ lines: ArraySlice<ArraySlice<UInt8>>) {
        guard let head = lines.first else { return nil }
        let words = text(head).split(separator: " ", maxSplits: 1)
        event = Uevent(action: Uevent.Action(words.first.map(String.init) ?? ""), sysname: words.count > 1 ? String(words[1]) : "")
        for line in lines.dropFirst() {
            if line.first == UInt8(ascii: "@") {
                guard let sep = line.firstIndex(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: ":") }) else { continue }
                let value = line[(sep + 1)...]
                sysfs.append((text(line[(line.startIndex + 1)..<sep]), line[sep] == UInt8(ascii: "=") ? Array(value) : hexBytes(value)))
            } else if let eq = line.firstIndex(of: UInt8(ascii: "=")) {
                event.properties.append((text(line[..<eq]), text(line[(eq + 1)...])))
            }
        }
        event.devnode = event[property: "DEVNAME"]
    }

    func read(_ path: String) -> [UInt8]? {
        sysfs.first { path == $0.name || path.hasSuffix("/" + $0.name) }?.value
    }
}

func hexBytes(_ s: ArraySlice<UInt8>) -> [UInt8] {
    let digits = s.compactMap { UInt8(String(UnicodeScalar($0)), radix: 16) }
    return stride(from: 0, to: digits.count - 1, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
}

func identifyAll(_ input: [UInt8]) {
    let lines = input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    let devices = lines.split(whereSeparator: \.isEmpty).compactMap(Device.init)
    let config = Config.builtin
    for event in UeventMerge.merge(devices.map(\.event)) where event.action == .add || event.action == .change {
        guard let device = devices.last(where: { $0.event.sysname == event.sysname }) else { continue }
        let facts = PathFacts.gather(event, read: device.read)
        guard case .success(var path) = PathIdentity.identify(facts) else { continue }
        var settings = config.pathSettings(for: path)
        if case .success(let again) = PathIdentity.identify(facts, uidAttribute: settings.uidAttribute.value) {
            path = again
            settings = config.pathSettings(for: path)
        }
        _ = PathChoice.select(path, settings, hasAccessState: facts.hasAccessState, checkerTimeout: facts.checkerTimeout(configured: nil))
        _ = config.blacklistVerdict(for: path, udevProperties: event.properties.map(\.name), uidAttribute: settings.uidAttribute.value)
        _ = (facts.blockSize, facts.targetPortGroup)
    }
}
