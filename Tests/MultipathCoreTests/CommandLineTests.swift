import MultipathCore
import MultipathRegex
import Testing

@Suite struct CommandLineTests {
    static let daemonCases: [([String], DaemonOptions)] = [
        ([], DaemonOptions()),
        (["-d"], DaemonOptions(foreground: true)),
        (["-d", "-s", "-v3"], DaemonOptions(foreground: true, timestamps: false, verbosity: 3)),
        (["-dsv", "4"], DaemonOptions(foreground: true, timestamps: false, verbosity: 4)),
        (["-v", "0", "-B"], DaemonOptions(verbosity: 0, readOnlyBindings: true)),
        (["-d", "-v3", "-v1"], DaemonOptions(foreground: true, verbosity: 1)),
        (["-n"], DaemonOptions(warnings: ["ignoring -n: use find_multipaths in multipath.conf to control new devices"])),
        (["-w", "--"], DaemonOptions(warnings: ["ignoring -w: device-mapper events always use the polling interface"]))
    ]

    @Test(arguments: daemonCases)
    func daemonMode(args: [String], expected: DaemonOptions) throws {
        #expect(try Invocation.parse(args) == .daemon(expected))
    }

    /// The file's `verbosity` sets the level unless a non-zero `-v` does (0.9.4 tests `if (verbosity)`,
    /// so `-v 0` yields to the file).
    @Test(
        arguments: [
            (nil, "", 2), (nil, "verbosity 3", 3), (4, "verbosity 1", 4), (1, "", 1), (0, "verbosity 3", 3), (0, "", 0)
        ] as [(Int?, String, Int)])
    func logVerbosity(flag: Int?, defaults: String, expected: Int) {
        let (config, _) = ConfigLoader.load(main: ("/etc/multipath.conf", "defaults {\n\(defaults)\n}\n"), confD: [], regex: .glibc)
        #expect(DaemonOptions(verbosity: flag).verbosity(config) == expected)
    }

    static let clientCases: [([String], String?, Int)] = [
        (["show", "paths"], "show paths", 2),
        (["-kshow paths"], "show paths", 2),
        (["-k", "show", "topology"], "show topology", 2),
        (["-k"], nil, 2),
        (["-v3", "-k"], nil, 3),
        (["show", "maps", "-v", "1"], "show maps", 1),
        (["-d", "show", "config"], "show config", 2),
        (["-kshow maps", "json"], "json", 2),
        (["--", "del", "path", "-x"], "del path -x", 2),
        (["-"], "-", 2),
        (["show", "paths", "format", "%d %p"], "show paths format \"%d %p\"", 2)
    ]

    @Test(arguments: clientCases)
    func clientMode(args: [String], command: String?, verbosity: Int) throws {
        #expect(try Invocation.parse(args) == .client(command: command, verbosity: verbosity))
    }

    @Test(arguments: [["-h"], ["-d", "-h"], ["-dh", "-x"]])
    func help(args: [String]) throws {
        #expect(try Invocation.parse(args) == .help)
    }

    @Test(arguments: [(["-t"], false), (["-T"], true), (["-d", "-t"], false), (["-sT"], true)] as [([String], Bool)])
    func printConfig(args: [String], onlyDifferences: Bool) throws {
        #expect(try Invocation.parse(args) == .printConfig(onlyDifferences: onlyDifferences))
    }

    static let errorCases: [([String], CommandLineError, String)] = [
        (["-x"], .unknownOption("-x"), "unknown option -x (multipathd -h lists the options)"),
        (["-dq"], .unknownOption("-q"), "unknown option -q (multipathd -h lists the options)"),
        (["--verbose"], .unknownOption("--"), "unknown option -- (multipathd -h lists the options)"),
        (["-v"], .missingValue(flag: "-v"), "-v needs a value"),
        (["-v", "5"], .badVerbosity("5"), "-v takes a level from 0 to 4, not '5'"),
        (["-vx"], .badVerbosity("x"), "-v takes a level from 0 to 4, not 'x'"),
        (["-v", "-d"], .badVerbosity("-d"), "-v takes a level from 0 to 4, not '-d'")
    ]

    @Test(arguments: errorCases)
    func errors(args: [String], error: CommandLineError, message: String) {
        #expect(throws: error) { try Invocation.parse(args) }
        #expect(error.description == message)
    }

    @Test func usageNamesEveryFlag() {
        for flag in ["-d", "-s", "-v N", "-B", "-k", "-n", "-w", "-t", "-T", "-h"] {
            #expect(Invocation.usage.contains(flag))
        }
    }
}
