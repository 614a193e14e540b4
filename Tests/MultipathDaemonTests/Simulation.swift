import Glibc
import Logging
import MultipathCore
import MultipathDaemon
import MultipathReactor
import MultipathRegex
import MultipathSystem
import MultipathTestKit
import Testing

/// The real daemon on a real reactor over a fake kernel and a manual clock: time moves only when a
/// story says so, and every timer due on the way fires at its instant.
final class Simulation {
    let clock: ManualClock
    let reactor: Reactor
    let kernel: FakeMultipathKernel
    let udev = FakeUeventSource()
    let files: FakeFiles
    let log = CapturingLogHandler(level: .info)
    private(set) var daemon: Daemon!
    var notified: [String] = []
    /// Runs when the daemon lists the disks present at start.
    var onEnumerate: (() -> Void)?

    static let defaults = "polling_interval 5\nfind_multipaths no\nuser_friendly_names yes\n"
    /// The configuration file as it is now: `reconfigure` changes it and SIGHUP reads it again.
    private var configFile = ""

    /// A new kernel with `paths` (name, wwid) present before the daemon starts.
    convenience init(paths: [(String, String)] = [("sda", "3600a"), ("sdb", "3600a")]) throws {
        let clock = ManualClock()
        let reactor = try Reactor(clock: clock)
        let kernel = FakeMultipathKernel(reactor: reactor)
        for (name, wwid) in paths { kernel.addPath(name, wwid: wwid) }
        try self.init(kernel: kernel, clock: clock, reactor: reactor, files: FakeFiles())
    }

    /// A daemon restarting over an existing kernel.
    init(kernel: FakeMultipathKernel, clock: ManualClock, reactor: Reactor, files: FakeFiles) throws {
        self.clock = clock
        self.reactor = reactor
        self.kernel = kernel
        self.files = files
        kernel.reactor = reactor
        kernel.udev = udev
    }

    func restarted() throws -> Simulation {
        try Simulation(kernel: kernel, clock: clock, reactor: try Reactor(clock: clock), files: files)
    }

    private var client: TestClient?
    private var address: ControlSocketAddress?

    /// `config` goes into the defaults section (over `Self.defaults`), `sections` after it.
    static func file(_ config: String, sections: String) -> String {
        let own = Set(config.split(separator: "\n").compactMap { $0.split(separator: " ").first })
        let defaults = Self.defaults.split(separator: "\n").filter { !own.contains($0.split(separator: " ")[0]) }
        return "defaults {\n\(defaults.joined(separator: "\n"))\n\(config)\n}\n\(sections)"
    }

    private func load() -> Config {
        let (c, diagnostics) = ConfigLoader.load(main: ("/etc/multipath.conf", configFile), confD: [], regex: .glibc)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        return c
    }

    /// `control`: with a control socket, for `ask`.
    func start(_ config: String = "", sections: String = "", control: Bool = false) throws {
        let address = control ? testSocketAddress("simulation") : nil
        self.address = address
        configFile = Self.file(config, sections: sections)
        let c = load()
        let bindings = files.contents[c.bindingsFile].map { Bindings.parse($0).0 } ?? Bindings()
        let wwids = files.contents[c.wwidsFile].map(WWIDsFile.parse) ?? WWIDsFile()
        var host = kernel.host(files: files)
        let enumerate = host.enumerate
        host.enumerate = { [unowned self] () throws(SystemError) in
            onEnumerate?()
            return try enumerate()
        }
        daemon = Daemon(
            reactor: reactor, logger: log.logger, config: c,
            edges: .init(udev: udev, dmEvents: kernel, dm: kernel, io: kernel, host: host),
            wwids: wwids, bindings: bindings, notify: { [unowned self] in notified.append($0) },
            control: try address.map { .init(listeners: [try ControlListener(binding: $0)]) },
            reloadConfiguration: { [unowned self] in .success(load()) })
        try daemon.start()
        client = try address.map(TestClient.init)
        try advance(by: .milliseconds(10))
    }

    /// Rewrites the configuration file and sends SIGHUP.
    func reconfigure(_ config: String = "", sections: String = "") throws {
        configFile = Self.file(config, sections: sections)
        raise(SIGHUP)
        try advance(by: .milliseconds(1))
    }

    /// Turns until a turn dispatches nothing and fires nothing.
    func pump() throws {
        while true {
            let before = reactor.stats
            try reactor.runOnce(maxWait: .zero)
            if reactor.stats.events == before.events && reactor.stats.timersFired == before.timersFired { return }
        }
    }

    func advance(by d: Duration) throws {
        let target = clock.now + d
        try pump()
        while let next = reactor.nextWakeup, next <= target {
            clock.advance(to: next)
            try pump()
        }
        clock.advance(to: target)
        try pump()
    }

    /// Moves time until `condition` holds (at most `limit`); returns when it first held.
    func advance(until condition: () -> Bool, limit: Duration = .seconds(60)) throws -> Instant? {
        let end = clock.now + limit
        try pump()
        while !condition() {
            guard let next = reactor.nextWakeup, next <= end else { return nil }
            clock.advance(to: next)
            try pump()
        }
        return clock.now
    }

    func push(_ events: [Uevent]) throws {
        for e in events { udev.push(e) }
        try pump()
    }

    /// A control command's reply, through the socket.
    func ask(_ request: String) throws -> String {
        let client = try #require(client, "started without control")
        client.send(request: request)
        try pump()
        return client.replies().joined()
    }

    /// Sends a control command whose reply may come later (`replies`).
    func send(_ request: String) throws {
        let client = try #require(client, "started without control")
        client.send(request: request)
        try pump()
    }

    /// A second client of the control socket.
    func otherClient() throws -> TestClient { try TestClient(try #require(address, "started without control")) }

    /// The control replies that have arrived.
    func replies() throws -> String { try #require(client, "started without control").replies().joined() }

    var messages: [String] { kernel.messageLog }
    func count(_ message: String) -> Int { messages.filter { $0 == message }.count }
    func devT(_ name: String) -> DevT { kernel.paths[name]!.devT }
    func active(_ map: String, _ path: String) -> Bool? { kernel.maps[map]?.active[devT(path)] }
}
