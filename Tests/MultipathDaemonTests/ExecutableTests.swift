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

    /// Runs it with `arguments`; returns the exit status and stdout + stderr.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let r = posix_spawn(&pid, path, &actions, nil, argv, environ)
        close(fds[1])
        defer { close(fds[0]) }
        try #require(r == 0, "posix_spawn \(path): \(Errno(rawValue: r))")
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
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
        if fd >= 0 { close(fd); return false }
        return errno == ENOENT || errno == ENODEV
    }
}

@Suite struct ExecutableTests {
    @Test(.enabled(if: Executable.hostLacksDeviceMapper, "needs a kernel without device-mapper"))
    func daemonOnAKernelWithoutDeviceMapperSaysSoAndFails() throws {
        let (status, output) = try Executable.run(["-d", "-s"])
        #expect(status == 1)
        #expect(output.contains("this kernel has no device-mapper (open /dev/mapper/control: "))
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

    @Test func clientModeSaysTheControlSocketIsNotThereYet() throws {
        let (status, output) = try Executable.run(["show", "paths"])
        #expect(status == 1)
        #expect(output.contains("client mode ('show paths') is not available yet"))
    }
}
