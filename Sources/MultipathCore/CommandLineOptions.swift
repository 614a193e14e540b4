/// What `multipathd` was asked to do, parsed from its arguments the way multipath-tools' multipathd
/// reads them (getopt `dsv:k::BnwtT`, options may follow command words, `--` ends the options).
public enum Invocation: Equatable, Sendable {
    /// Run the daemon.
    case daemon(DaemonOptions)
    /// Send a command to a running daemon; `nil` asks for the interactive shell (bare `-k`).
    case client(command: String?, verbosity: Int)
    /// `-h`: print `usage` and exit 0.
    case help
    /// `-t`: print the resolved configuration in multipath.conf syntax and exit; `-T`: only what differs
    /// from the built-in defaults and hardware table.
    case printConfig(onlyDifferences: Bool)

    public static let usage = """
        usage: multipathd [-d] [-s] [-v N] [-B]       run the daemon
               multipathd -k"COMMAND" | COMMAND...    send COMMAND to the running daemon
               multipathd -k                          interactive shell
               multipathd -t | -T                     print the configuration and exit
          -d    stay in the foreground and log to stderr
          -s    no timestamps in the log
          -v N  verbosity: 0 errors only, 1 warnings, 2 (default) information, 3 debug, 4 trace
          -B    read-only bindings file
          -n    ignored (use find_multipaths in multipath.conf)
          -w    ignored (device-mapper events always use the polling interface)
          -t    print the resolved configuration (built-ins merged with multipath.conf) and exit
          -T    print only what differs from the built-in configuration and exit
          -h    this help
        """

    public static func parse(_ arguments: some Sequence<String>) throws(CommandLineError) -> Invocation {
        var options = DaemonOptions()
        var clientCommand: String?
        var interactive = false
        var words: [String] = []
        var args = arguments.makeIterator()
        var optionsEnded = false

        while let arg = args.next() {
            guard !optionsEnded, arg.hasPrefix("-"), arg != "-" else {
                words.append(arg)
                continue
            }
            if arg == "--" {
                optionsEnded = true
                continue
            }
            var flags = Substring(arg.dropFirst())
            while let flag = flags.popFirst() {
                switch flag {
                case "d": options.foreground = true
                case "s": options.timestamps = false
                case "B": options.readOnlyBindings = true
                case "h": return .help
                case "t": return .printConfig(onlyDifferences: false)
                case "T": return .printConfig(onlyDifferences: true)
                case "n": options.warnings.append("ignoring -n: use find_multipaths in multipath.conf to control new devices")
                case "w": options.warnings.append("ignoring -w: device-mapper events always use the polling interface")
                case "v":
                    // The level is the rest of this argument (`-v3`) or the next one (`-v 3`).
                    guard let level = flags.isEmpty ? args.next() : String(flags) else { throw .missingValue(flag: "-v") }
                    guard let n = Int(level), (0...4).contains(n) else { throw .badVerbosity(level) }
                    options.verbosity = n
                    flags = ""
                case "k":
                    // Like getopt's optional argument: only `-kCOMMAND` attaches; `-k show paths` takes the words.
                    if flags.isEmpty { interactive = true } else { clientCommand = String(flags) }
                    flags = ""
                default: throw .unknownOption("-\(flag)")
                }
            }
        }
        // As 0.9.4's client: a word with a blank (`show paths format "%d %p"`) is sent in quotes.
        if !words.isEmpty {
            let command = words.map { $0.contains(" ") ? "\"\($0)\"" : $0 }.joined(separator: " ")
            return .client(command: command, verbosity: options.verbosity ?? 2)
        }
        if let clientCommand { return .client(command: clientCommand, verbosity: options.verbosity ?? 2) }
        if interactive { return .client(command: nil, verbosity: options.verbosity ?? 2) }
        return .daemon(options)
    }
}

/// The daemon's command-line settings.
public struct DaemonOptions: Equatable, Sendable {
    /// `-d`: stay in the foreground, log to stderr instead of syslog.
    public var foreground = false
    /// Cleared by `-s`.
    public var timestamps = true
    /// `-v N`, 0 (errors only) to 4 (trace); nil when not given (see `verbosity(_:)`).
    public var verbosity: Int?
    /// `-B`: never write the user_friendly_names bindings file.
    public var readOnlyBindings = false
    /// Accepted flags that have no effect here, each with the reason, for the log.
    public var warnings: [String] = []

    public init(
        foreground: Bool = false, timestamps: Bool = true, verbosity: Int? = nil, readOnlyBindings: Bool = false, warnings: [String] = []
    ) {
        self.foreground = foreground
        self.timestamps = timestamps
        self.verbosity = verbosity
        self.readOnlyBindings = readOnlyBindings
        self.warnings = warnings
    }
}

extension DaemonOptions {
    /// The log verbosity as 0.9.4 chooses it at start and at each reconfigure: a non-zero `-v` wins,
    /// then the configuration's `verbosity`, then `-v 0`, then 2.
    public func verbosity(_ config: Config) -> Int {
        if let v = verbosity, v > 0 { return v }
        if let r = config.global(.verbosity), r.origin == .defaultsSection, case .int(let n) = r.value { return n }
        return verbosity ?? 2
    }
}

public enum CommandLineError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownOption(String)
    case missingValue(flag: String)
    case badVerbosity(String)

    public var description: String {
        switch self {
        case .unknownOption(let o): "unknown option \(o) (multipathd -h lists the options)"
        case .missingValue(let f): "\(f) needs a value"
        case .badVerbosity(let v): "-v takes a level from 0 to 4, not '\(v)'"
        }
    }
}
