/// Where a setting came from: a file and line.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }
    public var description: String { "\(file) line \(line)" }
}

/// A message about the configuration, with provenance. `error` means the file is broken in structure;
/// the daemon keeps its running configuration when a reload produces one.
public struct ConfigDiagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable { case error, warning }
    public var severity: Severity
    public var location: SourceLocation?
    public var keyword: String?
    public var message: String

    public var description: String {
        let place = location.map { "\($0)" } ?? "configuration"
        return "\(place)\(keyword.map { ", \($0)" } ?? ""): \(message)"
    }
}

/// One attribute value with the line that set it (nil: built in).
public struct Setting: Hashable, Sendable {
    public var value: ConfigValue
    public var location: SourceLocation?
}

public typealias Settings = [ConfigKeyword: Setting]

/// A `devnode`, `wwid`, `property` or `protocol` line of `blacklist` or `blacklist_exceptions`.
struct ListEntry: Hashable, Sendable {
    var keyword: ConfigKeyword
    var text: String
    var location: SourceLocation?
}

/// What the files say, merged in reading order, before anything is resolved.
struct ConfigDocument: Sendable {
    var defaults: Settings = [:]
    var blacklist: [ListEntry] = []
    var blacklistDevices: [Settings] = []
    var exceptions: [ListEntry] = []
    var exceptionDevices: [Settings] = []
    var devices: [Settings] = []
    var overrides: Settings = [:]
    var protocols: [Settings] = []
    var multipaths: [Settings] = []
    /// First place each unsupported keyword was set, in order.
    var unsupported: [(ConfigKeyword, SourceLocation)] = []
}

/// Reads one file into the document, as 0.9.4 does: files add to what earlier files said.
struct ConfigParser {
    var document: ConfigDocument
    var diagnostics: [ConfigDiagnostic] = []

    private enum Target {
        case top, defaults, list(exceptions: Bool), listDevice(exceptions: Bool), devices, device, overrides
        case protocolEntry, multipaths, multipath
    }

    private struct Frame {
        var section: ConfigSection
        var target: Target
        var seen: Set<ConfigKeyword> = []
    }

    mutating func parse(file: String, text: String) {
        var stack = [Frame(section: .top, target: .top)]
        var skipDepth = 0
        for line in ConfigLexer.lines(text) {
            let location = SourceLocation(file: file, line: line.number)
            let first = line.tokens[0]
            if skipDepth > 0 {
                // Inside the block of an unknown section: skip it whole rather than misread its lines.
                skipDepth += Self.nesting(line.tokens[...])
                continue
            }
            if first.kind == .close {
                extra(line.tokens, from: 1, location)
                if stack.count > 1 { stack.removeLast() } else { error(location, nil, "unmatched '}'") }
                continue
            }
            guard first.kind == .word else {
                error(location, nil, first.kind == .open ? "invalid keyword '{'" : "invalid keyword \"\(first.text)\"")
                continue
            }
            let section = stack[stack.count - 1].section
            guard let keyword = ConfigKeyword(rawValue: first.text), section.accepts(keyword) else {
                warning(location, first.text, section == .top ? "invalid keyword" : "invalid keyword in the \(section.displayName) section")
                // A block closed on the same line (`bogus { }`) skips nothing more, as 0.9.4 reads on.
                if line.tokens.count > 1, line.tokens[1].kind == .open { skipDepth = max(Self.nesting(line.tokens.dropFirst()), 0) }
                continue
            }
            if let sub = section.subsection(keyword) {
                if line.tokens.count < 2 {
                    error(location, keyword.rawValue, "missing '{'")
                } else if line.tokens[1].kind != .open {
                    error(location, keyword.rawValue, "expecting '{', found '\(line.tokens[1].text)'")
                } else {
                    extra(line.tokens, from: 2, location)
                }
                if stack[stack.count - 1].seen.contains(keyword), !isMulti(keyword, in: section) {
                    warning(location, keyword.rawValue, "duplicate keyword")
                }
                stack[stack.count - 1].seen.insert(keyword)
                stack.append(Frame(section: sub, target: open(sub)))
                continue
            }
            guard line.tokens.count >= 2, line.tokens[1].kind != .open, line.tokens[1].kind != .close else {
                warning(location, keyword.rawValue, "missing value")
                continue
            }
            let valueToken = line.tokens[1]
            if case .quoted(terminated: false) = valueToken.kind {
                warning(location, keyword.rawValue, "missing closing quote, the value is the rest of the line")
            }
            extra(line.tokens, from: 2, location)
            if stack[stack.count - 1].seen.contains(keyword), !isMulti(keyword, in: section) {
                warning(location, keyword.rawValue, "duplicate keyword, the later value is used")
            }
            stack[stack.count - 1].seen.insert(keyword)
            assign(keyword, valueToken.text, to: stack[stack.count - 1].target, at: location)
        }
        if stack.count > 1 {
            error(
                SourceLocation(file: file, line: text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count),
                stack[1].section.displayName, "missing '}' at end of file")
        }
    }

    /// Braces opened minus braces closed.
    private static func nesting(_ tokens: ArraySlice<ConfigLexer.Token>) -> Int {
        tokens.reduce(0) { depth, token in depth + (token.kind == .open ? 1 : token.kind == .close ? -1 : 0) }
    }

    private func isMulti(_ keyword: ConfigKeyword, in section: ConfigSection) -> Bool {
        switch (section, keyword) {
        case (.blacklist, _), (.blacklistExceptions, _), (.devices, .device), (.overrides, .protocol), (.multipaths, .multipath): true
        default: false
        }
    }

    private mutating func open(_ section: ConfigSection) -> Target {
        switch section {
        case .top: return .top
        case .defaults: return .defaults
        case .blacklist: return .list(exceptions: false)
        case .blacklistExceptions: return .list(exceptions: true)
        case .blacklistDevice:
            document.blacklistDevices.append([:])
            return .listDevice(exceptions: false)
        case .exceptionsDevice:
            document.exceptionDevices.append([:])
            return .listDevice(exceptions: true)
        case .devices: return .devices
        case .device:
            document.devices.append([:])
            return .device
        case .overrides: return .overrides
        case .overridesProtocol:
            document.protocols.append([:])
            return .protocolEntry
        case .multipaths: return .multipaths
        case .multipath:
            document.multipaths.append([:])
            return .multipath
        }
    }

    private mutating func assign(_ keyword: ConfigKeyword, _ text: String, to target: Target, at location: SourceLocation) {
        if case .list(let exceptions) = target {
            // Compiled by the loader, with the configuration's regex engine.
            let entry = ListEntry(keyword: keyword, text: text, location: location)
            if exceptions { document.exceptions.append(entry) } else { document.blacklist.append(entry) }
            return
        }
        let stored: ConfigKeyword = keyword == .checker ? .path_checker : keyword
        let setting: Setting?
        switch keyword.kind.parse(text) {
        case .value(let v): setting = Setting(value: v, location: location)
        case .capped(let v, let how):
            warning(location, keyword.rawValue, "value \(how)")
            setting = Setting(value: v, location: location)
        case .unset: setting = nil
        case .invalid:
            warning(location, keyword.rawValue, "invalid value \"\(text)\", ignored")
            return
        case .unsupported(let why):
            warning(location, keyword.rawValue, "\(why), ignored")
            return
        }
        switch keyword.status {
        case .deprecated:
            warning(location, keyword.rawValue, "ignoring deprecated option")
            return
        case .notSupported:
            if !document.unsupported.contains(where: { $0.0 == keyword }) { document.unsupported.append((keyword, location)) }
        case .implemented: break
        }
        switch target {
        case .defaults: document.defaults[stored] = setting
        case .listDevice(let exceptions):
            if exceptions {
                document.exceptionDevices[document.exceptionDevices.count - 1][stored] = setting
            } else {
                document.blacklistDevices[document.blacklistDevices.count - 1][stored] = setting
            }
        case .device: document.devices[document.devices.count - 1][stored] = setting
        case .overrides: document.overrides[stored] = setting
        case .protocolEntry: document.protocols[document.protocols.count - 1][stored] = setting
        case .multipath: document.multipaths[document.multipaths.count - 1][stored] = setting
        case .top, .list, .devices, .multipaths: break
        }
    }

    private mutating func extra(_ tokens: [ConfigLexer.Token], from index: Int, _ location: SourceLocation) {
        if tokens.count > index { warning(location, nil, "ignoring extra data starting with '\(tokens[index].text)'") }
    }

    private mutating func error(_ location: SourceLocation, _ keyword: String?, _ message: String) {
        diagnostics.append(ConfigDiagnostic(severity: .error, location: location, keyword: keyword, message: message))
    }

    private mutating func warning(_ location: SourceLocation, _ keyword: String?, _ message: String) {
        diagnostics.append(ConfigDiagnostic(severity: .warning, location: location, keyword: keyword, message: message))
    }
}
