import Glibc
import Testing

@testable import MultipathCore

@Suite struct PathLatencyTests {
    static func us(_ values: [Int]) -> [Duration] { values.map { .microseconds($0) } }

    /// Read latencies in, 0.9.4's priority out (expected values from its formula under glibc's log).
    @Test(arguments: [
        ([5000], 10.0, 4),  // 10^8 / 5 ms = 10^4.3
        ([50], 10.0, 6),
        ([1001], 10.0, 4),
        ([1], 10.0, 8),  // at or under the scale's bottom: the full range
        ([0], 10.0, 8),  // under a microsecond adds nothing to the sums
        ([100_000_000], 10.0, 0),  // at the top (100 s)
        ([200_000_000], 10.0, 0),  // beyond it
        ([5000], 1.77827941004, 17),  // the default base: four steps per factor of 10
        ([1], 1.77827941004, 31),  // log(10^8) / log(1.778...) = 31.99999999996, truncated
        ([1000, 4000], 2.0, 15),  // geometric mean 2 ms
        ([900, 1100], 10.0, 5)
    ])
    func priorities(pattern: [Int], base: Double, expected: Int) {
        let latencies = Self.us(Array(repeating: pattern, count: 10).flatMap { $0 })
        #expect(PathLatency(samples: latencies.count, base: base).measure(latencies).priority == expected)
    }

    @Test func latenciesCountInWholeMicroseconds() {
        let m = PathLatency(samples: 20, base: 10).measure(Array(repeating: .nanoseconds(1999), count: 20))
        #expect(m.priority == 8 && m.meanMicroseconds == 1)
    }

    @Test func theMeasurementReportsTheGeometricMeanAndSpread() {
        let m = PathLatency(samples: 20, base: 2).measure(Self.us(Array(repeating: [1000, 4000], count: 10).flatMap { $0 }))
        #expect(abs(m.meanMicroseconds - 2000) < 1e-6)
        #expect(abs(m.spreadFactor - 2.036339843631446) < 1e-9)
        #expect(m.description == "mean latency 2000 us (spread x2.04), prio 15")
    }

    @Test(arguments: [
        ("io_num=20 base_num=10", PathLatency(samples: 20, base: 10), false),
        ("base_num=1.5 io_num=200", PathLatency(samples: 200, base: 1.5), false),
        ("io_num=50\tbase_num=2", PathLatency(samples: 50, base: 2), false),
        ("io_num=20 base_num=10 extra", PathLatency(samples: 20, base: 10), false),
        ("", PathLatency.defaults, true),
        ("io_num=20", PathLatency.defaults, true),  // both keys are needed
        ("io_num=19 base_num=10", PathLatency.defaults, true),  // io_num 20...200
        ("io_num=201 base_num=10", PathLatency.defaults, true),
        ("io_num=20 base_num=1.05", PathLatency.defaults, true),  // base_num 1.1...10
        ("io_num=20 base_num=11", PathLatency.defaults, true),
        ("io_num=x base_num=10", PathLatency.defaults, true),
        ("20|10", PathLatency.defaults, true),  // the pre-0.7 form
        ("extra io_num=20 base_num=10", PathLatency.defaults, true)  // only the first two words count
    ])
    func arguments(args: String, expected: PathLatency, complains: Bool) {
        let (settings, complaint) = PathLatency.parse(args)
        #expect(settings == expected)
        #expect((complaint != nil) == complains)
    }

    @Test func logarithmAndExponentialAgreeWithGlibc() {
        var x = 1e-300
        while x < 1e300 {
            for v in [x, x * 1.2345, x * 7.77, x * 0.70710678] {
                #expect(abs(naturalLog(v) - Glibc.log(v)) <= 2 * Glibc.log(v).magnitude.ulp)
            }
            x *= 13
        }
        for v in stride(from: -700.0, through: 700.0, by: 3.7) {
            #expect(abs(exponential(v) - Glibc.exp(v)) <= 4 * Glibc.exp(v).ulp)
        }
        #expect(naturalLog(1e8) / naturalLog(10) == 8)
    }
}
