import MultipathCore
import MultipathSystem
import Testing

@Suite struct InFlightTableTests {
    let t0 = Instant(nanoseconds: 1_000_000_000)

    final class Log {
        var outcomes: [String] = []
        var released: [Int] = []
    }

    /// Each completion runs exactly once whatever reports it first; buffers go back once the kernel is done.
    @Test func completionsRunOnceAndLateReturnsAreOnlyCounted() {
        let log = Log()
        let table = InFlightTable<Int, String>(capacity: 4) { log.released.append($0) }
        for (n, s) in [(1, 1), (2, 3), (3, 5)] {
            table.insert(id: table.nextID(), resources: n, deadline: t0 + .seconds(s)) { log.outcomes.append("\(n) \($0)") }
        }
        #expect(table.earliestDeadline == t0 + .seconds(1))
        table.expire(now: t0 + .seconds(3), as: "timed out")
        #expect(log.outcomes == ["1 timed out", "2 timed out"] && table.count == 3 && table.earliestDeadline == t0 + .seconds(5))
        #expect(table.finish(1) { "done \($0)" } == .late && log.released == [1])
        #expect(table.finish(3) { "done \($0)" } == .delivered && log.outcomes.last == "3 done 3")
        #expect(table.finish(3) { _ in "again" } == .unmatched)
        table.reportAll("gone")
        table.removeAll("closed")
        #expect(log.outcomes == ["1 timed out", "2 timed out", "3 done 3"] && log.released == [1, 3, 2] && table.count == 0)
    }

    /// Ids wrap at `maxID` and skip those the kernel still holds (sg pack ids).
    @Test func idsWrapAndSkipHeldOnes() {
        let table = InFlightTable<Int, String>(capacity: 2, maxID: 3) { _ in }
        table.insert(id: table.nextID(), resources: 0, deadline: t0) { _ in }  // 1, held
        #expect(table.nextID() == 2 && table.nextID() == 3 && table.nextID() == 2)
    }
}

@Suite struct OwnedFDTests {
    @Test func closesOnce() {
        var closes: [Int32] = []
        let fd = OwnedFD(FileDescriptor(rawValue: 99)) { closes.append($0.rawValue) }
        fd.close()
        fd.close()
        #expect(closes == [99] && fd.isClosed)
    }
}
