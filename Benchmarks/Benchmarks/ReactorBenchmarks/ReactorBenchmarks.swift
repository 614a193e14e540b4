import Benchmark
import BenchmarkSupport
import MultipathCore
import MultipathReactor
import MultipathSystem

/// Time moves only when the benchmark says so, so timers fire by count, not by sleeping.
final class SteppedClock: Clock {
    var now = Instant(nanoseconds: 1_000_000_000)
}

/// Deadlines spread over 100 s in a fixed pseudo-random order (a linear congruential sequence).
func deadlines(_ count: Int, from start: Instant) -> [Instant] {
    var x: UInt64 = 12345
    return (0..<count).map { _ in
        x = x &* 6364136223846793005 &+ 1442695040888963407
        return start + .nanoseconds(Int64(x >> 33) % 100_000_000_000)
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = benchmarkConfiguration(throughput: true)
    let allocationFree = Benchmark.Configuration(scalingFactor: .kilo, thresholds: ciThresholds(throughput: true, allocationFree: true))

    // One event end to end: eventfd write, epoll_wait, dispatch through the table, eventfd read.
    Benchmark("Reactor: eventfd write + epoll_wait + dispatch + read", configuration: allocationFree) { benchmark in
        let reactor = try Reactor(clock: SteppedClock())
        let events = try EventFD()
        defer { events.fd.close() }
        var seen = 0
        try reactor.register(events.fd, name: "eventfd", onFailure: .stop) { _ in seen += Int(try events.drain()) }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try events.signal()
            try reactor.runOnce(maxWait: .zero)
        }
        benchmark.stopMeasurement()
        precondition(seen == benchmark.scaledIterations.count)
    }

    // Dispatch alone: 64 sources that stay ready (level-triggered), one epoll_wait returning all 64 per turn.
    Benchmark("Reactor: one turn dispatching 64 ready events", configuration: allocationFree) { benchmark in
        let reactor = try Reactor(clock: SteppedClock(), maxEventsPerTurn: 64)
        let fds = try (0..<64).map { _ throws(SystemError) in try EventFD() }
        defer { for e in fds { e.fd.close() } }
        var seen = 0
        for (i, e) in fds.enumerated() {
            try e.signal()
            try reactor.register(e.fd, name: "ready \(i)") { _ in seen += 1 }
        }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { try reactor.runOnce(maxWait: .zero) }
        benchmark.stopMeasurement()
        precondition(seen == 64 * benchmark.scaledIterations.count)
    }

    for count in [10_000, 100_000] {
        Benchmark("TimerQueue: schedule + fire \(count) deadlines") { benchmark in
            let times = deadlines(count, from: .zero)
            for _ in benchmark.scaledIterations {
                var queue = TimerQueue()
                for t in times { _ = queue.schedule(earliest: t, latest: t + .seconds(1), TimerQueue.Timer(name: "check") {}) }
                var fired = 0
                while let timer = queue.popDue(at: .distantFuture) {
                    try timer.handler()
                    fired += 1
                }
                precondition(fired == count)
            }
        }

        Benchmark("Reactor: schedule + fire \(count) timers") { benchmark in
            let clock = SteppedClock()
            let reactor = try Reactor(clock: clock, maxTimersPerTurn: count)
            let times = deadlines(count, from: clock.now)
            var fired = 0
            for _ in benchmark.scaledIterations {
                for t in times { reactor.schedule(earliest: t, latest: t + .seconds(1), name: "check") { fired += 1 } }
                clock.now = clock.now + .seconds(200)
                try reactor.runOnce(maxWait: .zero)
            }
            precondition(fired == count * benchmark.scaledIterations.count)
        }
    }

    // Cancel and reschedule with 10,000 timers pending, one operation per iteration.
    Benchmark("TimerQueue: reschedule among 10,000 pending", configuration: allocationFree) { benchmark in
        var queue = TimerQueue()
        let times = deadlines(10_000, from: .zero)
        let tokens = times.map { queue.schedule(earliest: $0, TimerQueue.Timer(name: "check") {}) }
        let moves = deadlines(benchmark.scaledIterations.count, from: .zero)
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            queue.reschedule(tokens[i % tokens.count], earliest: moves[i], latest: moves[i] + .seconds(1))
        }
        benchmark.stopMeasurement()
        precondition(queue.count == 10_000)
    }

    Benchmark("TimerQueue: cancel + schedule among 10,000 pending", configuration: allocationFree) { benchmark in
        var queue = TimerQueue()
        let times = deadlines(10_000, from: .zero)
        var tokens = times.map { queue.schedule(earliest: $0, TimerQueue.Timer(name: "check") {}) }
        let moves = deadlines(benchmark.scaledIterations.count, from: .zero)
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            let k = i % tokens.count
            queue.cancel(tokens[k])
            tokens[k] = queue.schedule(earliest: moves[i], TimerQueue.Timer(name: "check") {})
        }
        benchmark.stopMeasurement()
        precondition(queue.count == 10_000)
    }
}
