/// Latencies in fixed log2 buckets of milliseconds, with count, sum, min, max and the last sample:
/// constant size, no per-sample storage. Bucket 0 holds samples under 1 ms, bucket i (1...18) those
/// from 2^(i-1) ms to under 2^i ms, and the last bucket everything from 2^18 ms (about 262 s) up.
public struct LatencyHistogram: Hashable, Sendable {
    public static let bucketCount = 20
    public private(set) var buckets = [Int](repeating: 0, count: bucketCount)
    public private(set) var count = 0
    public private(set) var sum = Duration.zero
    public private(set) var min: Duration?
    public private(set) var max: Duration?
    public private(set) var last: Duration?

    public init() {}

    /// The upper bound of bucket i in milliseconds; nil for the last, open-ended one.
    public static func upperBoundMilliseconds(_ i: Int) -> Int? {
        i < bucketCount - 1 ? 1 << i : nil
    }

    public static func bucket(_ d: Duration) -> Int {
        let ms = Swift.max(0, d.nanosecondsClamped / 1_000_000)
        // Bits needed for ms: 0 -> 0, 1 -> 1, 2...3 -> 2, 4...7 -> 3...
        return Swift.min(Int64.bitWidth - ms.leadingZeroBitCount, bucketCount - 1)
    }

    public mutating func record(_ d: Duration) {
        let d = Swift.max(d, .zero)
        buckets[Self.bucket(d)] += 1
        count += 1
        sum += d
        min = min.map { Swift.min($0, d) } ?? d
        max = max.map { Swift.max($0, d) } ?? d
        last = d
    }
}
