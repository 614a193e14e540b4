import MultipathCore
import Testing

/// Counts in table and status text come from the kernel (or a fuzzer): a count larger than the rest of
/// the text can hold is the text ending early, never an allocation of that size.
@Suite struct HugeCountTests {
    static let huge = ["1000000000000", "9223372036854775807"]

    @Test(arguments: huge)
    func tableCountsBeyondTheTextAreErrors(_ n: String) {
        for text in [
            "\(n) queue_if_no_path 0 1 1 round-robin 0 1 1 8:16 1",
            "0 0 1 1 round-robin \(n) 1 1 8:16 1",
            "0 0 1 1 round-robin 0 \(n) 1 8:16 1",
            "0 0 1 1 round-robin 0 1 \(n) 8:16 1",
            "0 0 \(n) 1 round-robin 0 1 1 8:16 1"
        ] {
            #expect(throws: DMTextError.self, "\(text)") { try MultipathTable(parsing: text) }
        }
    }

    @Test(arguments: huge)
    func statusCountsBeyondTheTextAreErrors(_ n: String) {
        for text in [
            "\(n) 0 0 0 1 1 A 0 1 0 8:16 A 0",
            "0 \(n) 1 1 A 0 1 0 8:16 A 0",
            "0 0 \(n) 1 A 0 1 0 8:16 A 0",
            "0 0 1 1 A \(n) 1 0 8:16 A 0",
            "0 0 1 1 A 0 \(n) 0 8:16 A 0",
            "0 0 1 1 A 0 1 \(n) 8:16 A 0"
        ] {
            #expect(throws: DMTextError.self, "\(text)") { try MultipathStatus(parsing: text) }
        }
    }

    @Test func aCountBeyondTheTextIsTheTextEndingEarly() {
        #expect(throws: DMTextError(wordIndex: 11, expected: "feature words", found: nil)) {
            try MultipathTable(parsing: "9223372036854775807 queue_if_no_path 0 1 1 round-robin 0 1 1 8:16 1")
        }
    }
}
