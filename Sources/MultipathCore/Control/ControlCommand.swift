/// The control-socket grammar of multipathd 0.9.4: keywords matched by prefix, up to four per command,
/// order significant, a parameter after `path`, `map`, `group`, `format` and `key`.

/// One keyword. The raw value is the code 0.9.4 uses in its fingerprints; only order and identity matter here.
public enum ControlKeyword: UInt8, CaseIterable, Sendable {
    case list = 1, add, del, `switch`, suspend, resume, reinstate, fail, resize, reset, reload
    case forceQueueing, disableQueueing, restoreQueueing, quit, shutdown
    case getPRStatus, setPRStatus, unsetPRStatus, getPRKey, setPRKey, unsetPRKey
    case setMarginal, unsetMarginal, reconfigure
    case paths, maps, path, map, group, daemon, status, stats, topology, config, blacklist, devices
    case raw, wildcards, format, json, key, local, all

    /// Whether the next word is this keyword's parameter.
    public var takesParameter: Bool {
        switch self {
        case .path, .map, .group, .format, .key: true
        default: false
        }
    }
}

/// The spellings in 0.9.4's registration order: prefix matching and the help text depend on it.
let controlSpellings: [(String, ControlKeyword)] = [
    ("list", .list), ("show", .list), ("add", .add), ("remove", .del), ("del", .del),
    ("switch", .switch), ("switchgroup", .switch), ("suspend", .suspend), ("resume", .resume),
    ("reinstate", .reinstate), ("fail", .fail), ("resize", .resize), ("reset", .reset), ("reload", .reload),
    ("forcequeueing", .forceQueueing), ("disablequeueing", .disableQueueing),
    ("restorequeueing", .restoreQueueing), ("paths", .paths), ("maps", .maps), ("multipaths", .maps),
    ("path", .path), ("map", .map), ("multipath", .map), ("group", .group), ("reconfigure", .reconfigure),
    ("daemon", .daemon), ("status", .status), ("stats", .stats), ("topology", .topology),
    ("config", .config), ("blacklist", .blacklist), ("devices", .devices), ("raw", .raw),
    ("wildcards", .wildcards), ("quit", .quit), ("exit", .quit), ("shutdown", .shutdown),
    ("getprstatus", .getPRStatus), ("setprstatus", .setPRStatus), ("unsetprstatus", .unsetPRStatus),
    ("format", .format), ("json", .json), ("getprkey", .getPRKey), ("setprkey", .setPRKey),
    ("unsetprkey", .unsetPRKey), ("key", .key), ("local", .local), ("setmarginal", .setMarginal),
    ("unsetmarginal", .unsetMarginal), ("all", .all)
]

/// What a client asked for. `map` and `path` parameters are as typed (name, alias, dm-N, WWID; device
/// name or major:minor): the daemon resolves them.
public enum ControlCommand: Hashable, Sendable {
    case showPaths(format: String?, raw: Bool)
    case showPath(String)
    case showMaps
    case showMapsStatus
    case showMapsStats
    case showMapsFormat(String, raw: Bool)
    /// `show topology`, `show maps topology` (map nil) and `show map M topology`.
    case showTopology(map: String?)
    case showMapsJSON
    /// `show map M [raw] format F`: 0.9.4 answers both alike (one padded row).
    case showMapFormat(map: String, format: String)
    case showMapJSON(String)
    case showStatus
    case showDaemon
    case showConfig(local: Bool)
    case showBlacklist
    case showDevices
    case showWildcards
    /// Ours, not 0.9.4's: latencies and counters as JSON.
    case showStatsJSON
    case resetMapsStats
    case resetMapStats(String)
    case addPath(String)
    case delPath(String)
    case addMap(String)
    case delMap(String)
    case delMaps
    case switchGroup(map: String, group: String)
    case reconfigure(all: Bool)
    case suspend(String)
    case resume(String)
    case resize(String)
    case reload(String)
    case resetMap(String)
    case reinstatePath(String)
    case failPath(String)
    /// map nil: every map.
    case disableQueueing(map: String?)
    case restoreQueueing(map: String?)
    case forceQueueingDaemon
    case restoreQueueingDaemon
    case getPRStatus(String)
    case setPRStatus(String)
    case unsetPRStatus(String)
    case getPRKey(String)
    case setPRKey(map: String, key: String)
    case unsetPRKey(String)
    case setMarginal(String)
    case unsetMarginal(String)
    case unsetMarginalMap(String)
    case quit
    case shutdown

    /// Whether a client that is not root may run it (0.9.4 lets others only list and show).
    public var isReadOnly: Bool {
        switch self {
        case .showPaths, .showPath, .showMaps, .showMapsStatus, .showMapsStats, .showMapsFormat, .showTopology,
            .showMapsJSON, .showMapFormat, .showMapJSON, .showStatus, .showDaemon, .showConfig, .showBlacklist,
            .showDevices, .showWildcards, .showStatsJSON:
            true
        default:
            false
        }
    }
}

/// One command pattern: its keywords in order, and how to build the command from the parameters.
struct ControlPattern: Sendable {
    var keywords: [ControlKeyword]
    var build: @Sendable (Parameters) -> ControlCommand

    struct Parameters {
        var values: [ControlKeyword: String]
        subscript(_ k: ControlKeyword) -> String { values[k] ?? "" }
    }
}

/// All 57 patterns, in the order 0.9.4 registers them (its help text lists them in this order), then ours.
let controlPatterns: [ControlPattern] = [
    .init(keywords: [.list, .paths]) { _ in .showPaths(format: nil, raw: false) },
    .init(keywords: [.list, .paths, .format]) { .showPaths(format: $0[.format], raw: false) },
    .init(keywords: [.list, .paths, .raw, .format]) { .showPaths(format: $0[.format], raw: true) },
    .init(keywords: [.list, .path]) { .showPath($0[.path]) },
    .init(keywords: [.list, .maps]) { _ in .showMaps },
    .init(keywords: [.list, .status]) { _ in .showStatus },
    .init(keywords: [.list, .daemon]) { _ in .showDaemon },
    .init(keywords: [.list, .maps, .status]) { _ in .showMapsStatus },
    .init(keywords: [.list, .maps, .stats]) { _ in .showMapsStats },
    .init(keywords: [.list, .maps, .format]) { .showMapsFormat($0[.format], raw: false) },
    .init(keywords: [.list, .maps, .raw, .format]) { .showMapsFormat($0[.format], raw: true) },
    .init(keywords: [.list, .maps, .topology]) { _ in .showTopology(map: nil) },
    .init(keywords: [.list, .topology]) { _ in .showTopology(map: nil) },
    .init(keywords: [.list, .maps, .json]) { _ in .showMapsJSON },
    .init(keywords: [.list, .map, .topology]) { .showTopology(map: $0[.map]) },
    .init(keywords: [.list, .map, .format]) { .showMapFormat(map: $0[.map], format: $0[.format]) },
    .init(keywords: [.list, .map, .raw, .format]) { .showMapFormat(map: $0[.map], format: $0[.format]) },
    .init(keywords: [.list, .map, .json]) { .showMapJSON($0[.map]) },
    .init(keywords: [.list, .config, .local]) { _ in .showConfig(local: true) },
    .init(keywords: [.list, .config]) { _ in .showConfig(local: false) },
    .init(keywords: [.list, .blacklist]) { _ in .showBlacklist },
    .init(keywords: [.list, .devices]) { _ in .showDevices },
    .init(keywords: [.list, .wildcards]) { _ in .showWildcards },
    .init(keywords: [.reset, .maps, .stats]) { _ in .resetMapsStats },
    .init(keywords: [.reset, .map, .stats]) { .resetMapStats($0[.map]) },
    .init(keywords: [.add, .path]) { .addPath($0[.path]) },
    .init(keywords: [.del, .path]) { .delPath($0[.path]) },
    .init(keywords: [.add, .map]) { .addMap($0[.map]) },
    .init(keywords: [.del, .map]) { .delMap($0[.map]) },
    .init(keywords: [.del, .maps]) { _ in .delMaps },
    .init(keywords: [.switch, .map, .group]) { .switchGroup(map: $0[.map], group: $0[.group]) },
    .init(keywords: [.reconfigure]) { _ in .reconfigure(all: false) },
    .init(keywords: [.reconfigure, .all]) { _ in .reconfigure(all: true) },
    .init(keywords: [.suspend, .map]) { .suspend($0[.map]) },
    .init(keywords: [.resume, .map]) { .resume($0[.map]) },
    .init(keywords: [.resize, .map]) { .resize($0[.map]) },
    .init(keywords: [.reload, .map]) { .reload($0[.map]) },
    .init(keywords: [.reset, .map]) { .resetMap($0[.map]) },
    .init(keywords: [.reinstate, .path]) { .reinstatePath($0[.path]) },
    .init(keywords: [.fail, .path]) { .failPath($0[.path]) },
    .init(keywords: [.disableQueueing, .map]) { .disableQueueing(map: $0[.map]) },
    .init(keywords: [.restoreQueueing, .map]) { .restoreQueueing(map: $0[.map]) },
    .init(keywords: [.disableQueueing, .maps]) { _ in .disableQueueing(map: nil) },
    .init(keywords: [.restoreQueueing, .maps]) { _ in .restoreQueueing(map: nil) },
    .init(keywords: [.quit]) { _ in .quit },
    .init(keywords: [.shutdown]) { _ in .shutdown },
    .init(keywords: [.getPRStatus, .map]) { .getPRStatus($0[.map]) },
    .init(keywords: [.setPRStatus, .map]) { .setPRStatus($0[.map]) },
    .init(keywords: [.unsetPRStatus, .map]) { .unsetPRStatus($0[.map]) },
    .init(keywords: [.forceQueueing, .daemon]) { _ in .forceQueueingDaemon },
    .init(keywords: [.restoreQueueing, .daemon]) { _ in .restoreQueueingDaemon },
    .init(keywords: [.getPRKey, .map]) { .getPRKey($0[.map]) },
    .init(keywords: [.setPRKey, .map, .key]) { .setPRKey(map: $0[.map], key: $0[.key]) },
    .init(keywords: [.unsetPRKey, .map]) { .unsetPRKey($0[.map]) },
    .init(keywords: [.setMarginal, .path]) { .setMarginal($0[.path]) },
    .init(keywords: [.unsetMarginal, .path]) { .unsetMarginal($0[.path]) },
    .init(keywords: [.unsetMarginal, .map]) { .unsetMarginalMap($0[.map]) },
    .init(keywords: [.list, .stats, .json]) { _ in .showStatsJSON }
]

/// Why a request is not a command; the reply is then the help text, prefixed as 0.9.4 does.
public enum ControlParseError: Error, Hashable, Sendable {
    /// The last word is no keyword (0.9.4: ESRCH, "`cmd`: not found").
    case notFoundAtEnd
    /// A word before the last is no keyword (0.9.4: ENOENT, help text without a prefix line).
    case notFound
    /// A keyword's parameter is missing, or the keywords form no command (0.9.4: EINVAL).
    case missingArgument
    /// Blank, or a comment from the start: 0.9.4's tokenizer returns nothing, which it reports as ENOMEM.
    case noWords
}

public enum ControlGrammar {
    /// The keyword a word names: an exact spelling wins, otherwise a prefix of exactly one spelling.
    public static func keyword(for word: some StringProtocol) -> ControlKeyword? {
        var found: ControlKeyword?
        for (spelling, keyword) in controlSpellings where spelling.hasPrefix(word) {
            if spelling.count == word.count { return keyword }
            if found != nil { return nil }
            found = keyword
        }
        return found
    }

    public static func parse(_ request: String) -> Result<ControlCommand, ControlParseError> {
        guard let tokens = ControlWords.tokens(request) else { return .failure(.noWords) }
        var keywords: [ControlKeyword] = []
        var parameters: [ControlKeyword: String] = [:]
        var awaiting: ControlKeyword?
        for (i, token) in tokens.enumerated() {
            guard case .word(let word) = token else { continue }
            if let k = awaiting {
                parameters[k] = word
                awaiting = nil
                continue
            }
            guard let k = keyword(for: word) else {
                return .failure(i == tokens.count - 1 ? .notFoundAtEnd : .notFound)
            }
            keywords.append(k)
            if k.takesParameter { awaiting = k }
        }
        guard awaiting == nil, keywords.count <= 4,
            let pattern = controlPatterns.first(where: { $0.keywords == keywords })
        else { return .failure(.missingArgument) }
        return .success(pattern.build(.init(values: parameters)))
    }

    /// What 0.9.4 answers a request that is not a command: `fail` when a word before the last is no
    /// keyword, the help text otherwise.
    public static func reply(toUnparsable request: String, error: ControlParseError, version: String) -> String {
        error == .notFound ? ControlReply.fail : help(for: request, error: error, version: version)
    }

    /// The help text: 0.9.4's reason line (if any), a version line, and
    /// every pattern with each keyword's spellings and `$param` placeholders.
    public static func help(for request: String, error: ControlParseError, version: String) -> String {
        let out: String
        switch error {
        case .notFoundAtEnd: out = "\(request): not found\n"
        case .notFound: out = ""
        case .missingArgument: out = "\(request): Missing argument\n"
        case .noWords: out = "\(request): Not enough memory\n"
        }
        return out + version + "\nCLI commands reference:\n" + commandReference
    }

    /// The same for every reply, so it is written once.
    private static let commandReference: String = {
        var out = ""
        for pattern in controlPatterns {
            for k in pattern.keywords {
                let spellings = controlSpellings.filter { $0.1 == k }.map(\.0)
                out += " " + spellings.joined(separator: "|")
                if k.takesParameter { out += " $" + spellings[0] }
            }
            out += "\n"
        }
        return out
    }()
}

/// One token of a request as 0.9.4's tokenizer cuts it: a word, or a double quote that opens or closes a
/// string (skipped by the grammar, but counted when it tells "not found at the end" from "not found").
enum ControlToken: Hashable, Sendable {
    case word(String)
    case quote
}

/// Cuts a request into tokens, byte by byte as 0.9.4 does (a CRLF is two separators, not one Character):
/// white space and non-ASCII bytes separate words outside strings; `"` opens and closes a string, in which
/// `""` stands for one `"`; `{` and `}` are words of their own; `!` or `#` outside a string starts a comment.
enum ControlWords {
    private static let quote = UInt8(ascii: "\""), bang = UInt8(ascii: "!"), hash = UInt8(ascii: "#")
    private static let braces: Set<UInt8> = [UInt8(ascii: "{"), UInt8(ascii: "}")]

    /// C's `isspace`, and any byte that is not ASCII.
    private static func separates(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) || b >= 0x80 }
    private static func startsComment(_ b: UInt8) -> Bool { b == bang || b == hash }

    /// nil when the request is blank or starts with a comment (0.9.4 then has no token list at all).
    static func tokens(_ text: String) -> [ControlToken]? {
        let bytes = Array(text.utf8.prefix { $0 != 0 })
        var i = bytes.firstIndex { !separates($0) } ?? bytes.count
        guard i < bytes.count, !startsComment(bytes[i]) else { return nil }
        var tokens: [ControlToken] = []
        var inString = false
        func doubledQuote(at j: Int) -> Bool { inString && j + 1 < bytes.count && bytes[j + 1] == quote }
        while true {
            if bytes[i] == quote && !doubledQuote(at: i) {
                tokens.append(.quote)
                inString.toggle()
                i += 1
            } else if !inString && braces.contains(bytes[i]) {
                tokens.append(.word(String(decoding: [bytes[i]], as: UTF8.self)))
                i += 1
            } else {
                var word: [UInt8] = []
                while i < bytes.count {
                    let b = bytes[i]
                    if b == quote {
                        guard doubledQuote(at: i) else { break }
                        word.append(quote)
                        i += 2
                        continue
                    }
                    if !inString && (separates(b) || startsComment(b) || braces.contains(b)) { break }
                    word.append(b)
                    i += 1
                }
                tokens.append(.word(String(decoding: word, as: UTF8.self)))
            }
            if !inString { while i < bytes.count && separates(bytes[i]) { i += 1 } }
            if i == bytes.count || (!inString && startsComment(bytes[i])) { return tokens }
        }
    }
}
