import Benchmark
import BenchmarkSupport
import MultipathCore
import MultipathDaemon
import MultipathReactor
import MultipathRegex
import MultipathTestKit

/// The real daemon on a real reactor over the fake kernel and a manual clock, as the simulation tests
/// run it: time jumps from one due timer to the next, so a benchmark measures the daemon's work only.
final class FakeHost {
    let clock = ManualClock()
    let reactor: Reactor
    let kernel: FakeMultipathKernel
    let daemon: Daemon

    init(paths: [(String, String)], defaults: String) throws {
        reactor = try Reactor(clock: clock)
        kernel = FakeMultipathKernel(reactor: reactor)
        for (name, wwid) in paths { kernel.addPath(name, wwid: wwid) }
        let (config, diagnostics) = ConfigLoader.load(
            main: ("/etc/multipath.conf", "defaults {\n\(defaults)\n}\n"), confD: [], regex: .glibc)
        precondition(diagnostics.isEmpty, "\(diagnostics)")
        // Logging off: the benchmark measures decisions and messages, not log formatting.
        daemon = Daemon(
            reactor: reactor, logger: CapturingLogHandler(level: .critical).logger, config: config,
            edges: .init(udev: FakeUeventSource(), dmEvents: kernel, dm: kernel, io: kernel, host: kernel.host(files: FakeFiles())))
        try daemon.start()
    }

    /// Runs turns, moving the clock to each next timer, until `condition` holds.
    func run(until condition: () -> Bool) throws {
        while true {
            let before = reactor.stats
            try reactor.runOnce(maxWait: .zero)
            if condition() { return }
            if reactor.stats.events == before.events && reactor.stats.timersFired == before.timersFired {
                clock.advance(to: reactor.nextWakeup!)
            }
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = benchmarkConfiguration()

    // The critical path end to end: the fake sg edge completes a TUR with an error (or good), the
    // prober reads it, the core decides, the daemon sends fail_path (or reinstate_path) to the fake DM.
    // One iteration is one flap of one path of a 2-path map: down and failed, then up and reinstated.
    Benchmark(
        "Daemon: a path flap, checker completion -> fail_path and reinstate_path (fake kernel)",
        configuration: .init(scalingFactor: .kilo)
    ) { benchmark in
        let host = try FakeHost(paths: [("sda", "3600a"), ("sdb", "3600a")], defaults: "polling_interval 5\nfind_multipaths no")
        try host.run { host.kernel.maps["3600a"] != nil }
        let sdb = host.kernel.paths["sdb"]!
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            sdb.behavior = .offline
            try host.run { host.kernel.maps["3600a"]!.active[sdb.devT] == false }
            sdb.behavior = .good
            try host.run { host.kernel.maps["3600a"]!.active[sdb.devT] == true }
        }
        benchmark.stopMeasurement()
        precondition(host.kernel.messages.count >= 2 * benchmark.scaledIterations.count)
    }
}
