/// 0.9.4's `path_latency` prioritizer: `io_num` O_DIRECT reads of the path's first block are timed one
/// after another; the mean of their logarithms (base `base_num`) places the path on a log scale from
/// 1 us to 100 s: `priority = trunc(log(100 s / mean latency))`, so with `base_num=10` a path at 5 ms
/// gets 4 and one at 50 us gets 6. The daemon issues the reads; this type parses the arguments and
/// turns the timings into a priority.
public struct PathLatency: Hashable, Sendable {
    /// `io_num`: reads per measurement, 20...200.
    public var samples: Int
    /// `base_num`: the scale's base, 1.1...10.
    public var base: Double

    public static let sampleRange = 20...200
    public static let baseRange = 1.1...10.0
    /// 0.9.4's defaults when `prio_args` is missing or wrong: 100 reads, base 10^(1/4) (four priority
    /// steps per factor of 10).
    public static let defaults = PathLatency(samples: 100, base: 1.77827941004)
    /// The scale's ends, in microseconds.
    static let maximumMicroseconds = 100_000_000.0
    static let minimumMicroseconds = 1.0

    public init(samples: Int, base: Double) {
        self.samples = samples
        self.base = base
    }

    /// `prio_args "io_num=N base_num=M"`, as 0.9.4 reads it: the first two words, both keys present,
    /// both in range. Otherwise the defaults, with a complaint (0.9.4 logs one too).
    public static func parse(_ args: String) -> (settings: PathLatency, complaint: String?) {
        var samples: Int?, base: Double?
        for word in args.split(whereSeparator: { $0 == " " || $0 == "\t" }).prefix(2) {
            if word.hasPrefix("io_num="), word.count > 7 {
                samples = Int(word.dropFirst(7).prefix(while: \.isNumber)) ?? 0
            } else if word.hasPrefix("base_num="), word.count > 9 {
                base = Double(word.dropFirst(9).prefix(while: { $0.isNumber || $0 == "." })) ?? 0
            }
        }
        guard let samples, let base, sampleRange.contains(samples), baseRange.contains(base) else {
            return (defaults, "prio_args \"\(args)\" is not \"io_num=20...200 base_num=1.1...10\": using io_num=100 base_num=1.778")
        }
        return (PathLatency(samples: samples, base: base), nil)
    }

    /// What one measurement gave: the priority, the geometric mean latency and its spread (a factor:
    /// one standard deviation of the log), for the log line.
    public struct Measurement: Hashable, Sendable, CustomStringConvertible {
        public var priority: Int
        public var meanMicroseconds: Double
        public var spreadFactor: Double

        public var description: String {
            let hundredths = Int((spreadFactor * 100).rounded())
            let fraction = hundredths % 100 < 10 ? "0\(hundredths % 100)" : "\(hundredths % 100)"
            return "mean latency \(Int(meanMicroseconds.rounded())) us (spread x\(hundredths / 100).\(fraction)), prio \(priority)"
        }
    }

    /// The priority from `samples` read latencies. Latencies count in whole microseconds, as 0.9.4
    /// takes them; a read under one microsecond adds nothing to the sums but still counts.
    public func measure(_ latencies: [Duration]) -> Measurement {
        let lnBase = naturalLog(base)
        let top = naturalLog(Self.maximumMicroseconds) / lnBase
        let bottom = naturalLog(Self.minimumMicroseconds) / lnBase
        var sum = 0.0, squares = 0.0
        for latency in latencies {
            let (seconds, attoseconds) = latency.components
            let us = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
            guard us > 0 else { continue }
            let x = naturalLog(Double(us)) / lnBase
            sum += x
            squares += x * x
        }
        let n = Double(max(latencies.count, 1))
        let mean = sum / n
        let deviation = latencies.count > 1 ? max((squares - sum * mean) / (n - 1), 0).squareRoot() : 0
        let priority: Int
        if mean <= bottom {
            priority = Int(top - bottom)
        } else if mean >= top {
            priority = 0
        } else {
            priority = Int(top - mean)
        }
        return Measurement(priority: priority, meanMicroseconds: exponential(mean * lnBase), spreadFactor: exponential(deviation * lnBase))
    }
}

// The standard library has no logarithm and the core imports no libm: both functions reduce to
// [1/sqrt(2), sqrt(2)) or |r| <= ln(2)/2 and sum a short series, within an ulp or two of glibc.
private let ln2High = 6.93147180369123816490e-01
private let ln2Low = 1.90821492927058770002e-10

/// ln(x) for x > 0: x = m * 2^e, ln(x) = e ln 2 + 2 atanh((m - 1) / (m + 1)).
func naturalLog(_ x: Double) -> Double {
    precondition(x > 0 && x.isFinite)
    var e = Double(x.exponent)
    var m = x.significand
    if m > 2.0.squareRoot() {
        m /= 2
        e += 1
    }
    let s = (m - 1) / (m + 1)
    let s2 = s * s
    var term = s, series = 0.0, k = 1.0
    while true {
        let next = series + term / k
        if next == series { break }
        series = next
        term *= s2
        k += 2
    }
    return e * ln2High + (e * ln2Low + 2 * series)
}

/// e^x: x = k ln 2 + r, e^x = 2^k e^r.
func exponential(_ x: Double) -> Double {
    guard x < 709.8 else { return .infinity }
    guard x > -745 else { return 0 }
    let k = (x / (ln2High + ln2Low)).rounded()
    let r = (x - k * ln2High) - k * ln2Low
    var term = 1.0, sum = 1.0, n = 1.0
    while true {
        term *= r / n
        let next = sum + term
        if next == sum { break }
        sum = next
        n += 1
    }
    return Double(sign: .plus, exponent: Int(k), significand: sum)
}
