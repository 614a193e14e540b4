import MultipathCore
import Testing

@Suite struct InstantTests {
    @Test(arguments: [
        (UInt64(5_000_000_000), Duration.milliseconds(250), UInt64(5_250_000_000)),
        (UInt64(100), Duration.nanoseconds(-200), UInt64(0)),
        (UInt64.max - 1, Duration.seconds(1), UInt64.max)
    ])
    func adding(start: UInt64, d: Duration, expected: UInt64) {
        #expect((Instant(nanoseconds: start) + d).nanoseconds == expected)
    }

    @Test func difference() {
        let a = Instant(nanoseconds: 3_000_000_000), b = Instant(nanoseconds: 1_500_000_000)
        #expect(a - b == .milliseconds(1500))
        #expect(b - a == .milliseconds(-1500))
    }

    @Test func description() {
        #expect(Instant(nanoseconds: 12_034_000_000).description == "12.034")
    }
}
