import Glibc
import MultipathSystem
import Testing

/// The built `multipathd` run as a process, for what only the real binary shows: exit statuses and
/// the words on stderr.
struct Executable {
    /// Next to the test bundle in the build folder (`swift build` puts both there).
    static let path: String = {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        let exe = String(decoding: buf[..<max(n, 0)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return exe[..<(exe.lastIndex(of: "/") ?? exe.startIndex)] + "/multipathd"
    }()

    /// Runs it with `arguments` (and `environment` added), as user `uid` when given (through setpriv: the
    /// test runs as root); returns the exit status and stdout + stderr. `whileRunning` is called until
    /// the process closes its output (a test's server turns its loop there).
    static func run(
        _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil, uid: UInt32? = nil,
        whileRunning: () throws -> Void = {}
    ) throws -> (status: Int32, output: String) {
        var fds: [Int32] = [0, 0], input: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0 && pipe(&input) == 0)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if stdin == nil {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        } else {
            posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, input[1])
        let launcher = uid.map { ["/usr/bin/setpriv", "--reuid=\($0)", "--regid=\($0)", "--clear-groups"] } ?? []
        let argv = (launcher + [path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var env: [UnsafeMutablePointer<CChar>?] = []
        var e = environ
        while let entry = e.pointee {
            env.append(strdup(entry))
            e += 1
        }
        env += environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        var pid: pid_t = 0
        let r = posix_spawn(&pid, launcher.first ?? path, &actions, nil, argv, env)
        close(fds[1])
        close(input[0])
        defer { close(fds[0]) }
        if let stdin { _ = stdin.utf8CString.withUnsafeBytes { write(input[1], $0.baseAddress, $0.count - 1) } }
        close(input[1])
        try #require(r == 0, "posix_spawn \(path): \(Errno(rawValue: r))")
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            var p = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, 5) == 0 {
                try whileRunning()
                continue
            }
            let n = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n <= 0 { break }
            output += chunk[..<n]
        }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        try #require(status & 0x7f == 0, "killed by signal \(status & 0x7f)")
        return ((status >> 8) & 0xff, String(decoding: output, as: UTF8.self))
    }

    /// True where the kernel has no device-mapper, as on the development host: there the real daemon
    /// can be started without touching a real system's maps.
    static var hostLacksDeviceMapper: Bool {
        let fd = open(DMControl.defaultPath, O_RDWR | O_CLOEXEC)
        if fd >= 0 {
            close(fd)
            return false
        }
        return errno == ENOENT || errno == ENODEV
    }
}

@Suite struct ExecutableTests {
    @Test(.enabled(if: Executable.hostLacksDeviceMapper, "needs a kernel without device-mapper"))
    func daemonOnAKernelWithoutDeviceMapperSaysSoAndFails() throws {
        let (status, output) = try Executable.run(["-d", "-s", "-v3"])
        #expect(status == 1)
        #expect(output.contains("this kernel has no device-mapper (open /dev/mapper/control: "))
        // Hardened before that: memory locked (root has CAP_IPC_LOCK), the OOM score tried (a container
        // may refuse -1000); a unit that sets OOMScoreAdjust keeps its own score. Runs in turn, not in
        // parallel tests: both daemons take the one pid file.
        if getuid() == 0 { #expect(!output.contains("cannot lock the daemon's memory")) }
        #expect(!output.contains("using systemd's OOMScoreAdjust"))
        let (_, underSystemd) = try Executable.run(["-d", "-s", "-v3"], environment: ["OOMScoreAdjust": "-500"])
        #expect(underSystemd.contains("oom_score_adj: using systemd's OOMScoreAdjust"))
        #expect(!underSystemd.contains("cannot adjust the OOM score"))
    }

    @Test func helpPrintsUsage() throws {
        let (status, output) = try Executable.run(["-h"])
        #expect(status == 0)
        #expect(output.hasPrefix("usage: multipathd"))
    }

    @Test func printConfigShowsTheMergedConfigurationAndExits() throws {
        let (status, output) = try Executable.run(["-t"])
        #expect(status == 0)
        for section in ["defaults {\n", "blacklist {\n", "blacklist_exceptions {\n", "devices {\n", "overrides {\n"] {
            #expect(output.contains(section))
        }
        #expect(output.contains("\tpolling_interval "))
        #expect(output.contains("\t\tvendor \"NETAPP\"\n"))
    }

    @Test func unknownFlagIsAnErrorWithStatus1() throws {
        let (status, output) = try Executable.run(["-x"])
        #expect(status == 1)
        #expect(output == "multipathd: unknown option -x (multipathd -h lists the options)\n")
    }

    @Test func clientWithoutADaemonSaysSoAndFails() throws {
        let address = testSocketAddress("nodaemon")
        let (status, output) = try Executable.run(["show", "paths"], environment: ["MULTIPATH_SOCKET_NAME": address.name])
        #expect(status == 1)
        #expect(output == "multipathd: cannot reach the daemon at \(address): Connection refused (is multipathd running?)\n")
    }

    /// Our client against a real server: replies printed as sent, status 1 only on `fail` and `timeout`.
    @Test(
        arguments: [
            (["show", "daemon"], "pid 1 idle\n", Int32(0)), (["-kshow maps"], "showMaps\n", 0), (["show", "foo"], nil, 0),
            (["fail", "path", "sdb"], "fail\n", 1), (["foo", "paths"], "fail\n", 1)
        ] as [([String], String?, Int32)])
    func clientSendsOneCommand(arguments: [String], reply: String?, status: Int32) throws {
        let h = try ServerHarness(tag: "client")
        let (s, output) = try Executable.run(arguments, environment: ["MULTIPATH_SOCKET_NAME": h.address.name]) {
            try h.reactor.runOnce(maxWait: .milliseconds(5))
        }
        if let reply { #expect(output == reply) } else { #expect(output.contains("CLI commands reference:")) }
        #expect(s == status)
    }

    @Test func clientTimesOutWithStatus1() throws {
        let h = try ServerHarness(tag: "clienttimeout")
        h.handler.holdEverything = true
        let (s, output) = try Executable.run(["show", "daemon"], environment: ["MULTIPATH_SOCKET_NAME": h.address.name]) {
            try h.reactor.runOnce(maxWait: .milliseconds(5))
            h.clock.advance(by: .milliseconds(100))  // the daemon's 4 s pass quickly; the client's 5 s do not
        }
        #expect(output == "timeout\n")
        #expect(s == 1)
    }

    @Test func interactiveShellReadsCommandsUntilQuit() throws {
        let h = try ServerHarness(tag: "interactive")
        let (s, output) = try Executable.run(
            ["-k"], environment: ["MULTIPATH_SOCKET_NAME": h.address.name],
            stdin: "show daemon\n\n  show maps\nfail path sdb\nquit\nshow daemon\n"
        ) {
            try h.reactor.runOnce(maxWait: .milliseconds(5))
        }
        #expect(output == "pid 1 idle\nshowMaps\nfail\n")
        #expect(s == 0)
    }
}
