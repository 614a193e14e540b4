import MultipathCore
import Testing

@testable import MultipathReactor

@Suite struct TimerQueueTests {
    private func t(_ ms: UInt64) -> Instant { Instant(nanoseconds: ms * 1_000_000) }

    @Test func popsInEarliestOrderWithTiesInInsertionOrder() {
        var queue = TimerQueue()
        var log: [String] = []
        for (name, ms) in [("c", 30), ("a1", 10), ("b", 20), ("a2", 10)] as [(String, UInt64)] {
            _ = queue.schedule(earliest: t(ms), TimerQueue.Timer(name: name) { log.append(name) })
        }
        let early = queue.popDue(at: t(9))
        #expect(early == nil)
        var order: [String] = []
        while let timer = queue.popDue(at: t(100)) { order.append(timer.name) }
        #expect(order == ["a1", "a2", "b", "c"])
        #expect(queue.isEmpty)
    }

    @Test func nextLatestIsTheSmallestWindowEndNotTheFirstTimers() {
        var queue = TimerQueue()
        _ = queue.schedule(earliest: t(10), latest: t(100), TimerQueue.Timer(name: "wide") {})
        let narrow = queue.schedule(earliest: t(20), latest: t(30), TimerQueue.Timer(name: "narrow") {})
        #expect(queue.nextEarliest == t(10))
        #expect(queue.nextLatest == t(30))
        queue.cancel(narrow)
        #expect(queue.nextLatest == t(100))
    }

    @Test func latestBeforeEarliestIsTakenAsEarliest() {
        var queue = TimerQueue()
        _ = queue.schedule(earliest: t(50), latest: t(10), TimerQueue.Timer(name: "x") {})
        #expect(queue.nextLatest == t(50))
    }

    @Test func staleTokensDoNothingEvenWhenTheSlotIsReused() {
        var queue = TimerQueue()
        let first = queue.schedule(earliest: t(1), TimerQueue.Timer(name: "first") {})
        #expect(queue.popDue(at: t(1))?.name == "first")
        let second = queue.schedule(earliest: t(5), TimerQueue.Timer(name: "second") {})
        #expect(first.slot == second.slot)
        let staleCancel = queue.cancel(first), staleReschedule = queue.reschedule(first, earliest: t(100))
        #expect(!staleCancel && !staleReschedule)
        #expect(queue.nextEarliest == t(5))
        let cancels = (queue.cancel(second), queue.cancel(second))
        #expect(cancels == (true, false))
        #expect(queue.isEmpty)
    }

    @Test func rescheduledTimerGoesBehindTimersAlreadyAtItsInstant() {
        var queue = TimerQueue()
        let moved = queue.schedule(earliest: t(1), TimerQueue.Timer(name: "moved") {})
        _ = queue.schedule(earliest: t(10), TimerQueue.Timer(name: "waiting") {})
        queue.reschedule(moved, earliest: t(10))
        let order = [queue.popDue(at: t(10))?.name, queue.popDue(at: t(10))?.name]
        #expect(order == ["waiting", "moved"])
    }

    /// Random schedule/cancel/reschedule/pop against a sorted-array model, several seeds.
    @Test(arguments: [1, 2, 3, 42, 1234] as [UInt64])
    func agreesWithASortedModel(seed: UInt64) {
        struct Model {
            var name: String
            var earliest: UInt64
            var latest: UInt64
            var sequence: Int
        }
        var rng = SplitMix(seed: seed)
        var queue = TimerQueue()
        var model: [TimerToken: Model] = [:]
        var tokens: [TimerToken] = []
        var sequence = 0
        var now: UInt64 = 0
        for step in 0..<3000 {
            switch rng.next() % 10 {
            case 0..<4:
                let earliest = now + rng.next() % 1000, latest = earliest + rng.next() % 200
                let name = "t\(step)"
                let token = queue.schedule(earliest: t(earliest), latest: t(latest), TimerQueue.Timer(name: name) {})
                model[token] = Model(name: name, earliest: earliest, latest: latest, sequence: sequence)
                sequence += 1
                tokens.append(token)
            case 4..<6 where !tokens.isEmpty:
                let token = tokens[Int(rng.next() % UInt64(tokens.count))]
                let cancelled = queue.cancel(token)
                #expect(cancelled == (model.removeValue(forKey: token) != nil))
            case 6..<8 where !tokens.isEmpty:
                let token = tokens[Int(rng.next() % UInt64(tokens.count))]
                let earliest = now + rng.next() % 1000
                let pending = model[token] != nil
                let moved = queue.reschedule(token, earliest: t(earliest), latest: t(earliest + 50))
                #expect(moved == pending)
                if pending {
                    model[token]!.earliest = earliest
                    model[token]!.latest = earliest + 50
                    model[token]!.sequence = sequence
                    sequence += 1
                }
            default:
                now += rng.next() % 300
                let due = model.filter { $0.value.earliest <= now }
                    .sorted { ($0.value.earliest, $0.value.sequence) < ($1.value.earliest, $1.value.sequence) }
                for (token, expected) in due {
                    let popped = queue.popDue(at: t(now))
                    #expect(popped?.name == expected.name)
                    model[token] = nil
                }
                let extra = queue.popDue(at: t(now))
                #expect(extra == nil)
            }
            #expect(queue.count == model.count)
            #expect(queue.nextEarliest == model.values.map(\.earliest).min().map(t))
            #expect(queue.nextLatest == model.values.map(\.latest).min().map(t))
        }
    }
}

/// A small seeded generator so that the random test is reproducible.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
