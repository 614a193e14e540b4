import MultipathCore
import Testing

@Suite struct MultipathStatusTests {
    /// Status lines as the kernel prints them (`dmsetup status`, without the trailing space).
    static let roundTrips: [String] = [
        "2 0 0 0 0 0",
        "2 0 0 0 1 1 A 0 2 0 8:16 A 0 8:32 A 0",
        // One path failed once.
        "2 0 0 0 1 1 A 0 2 0 8:16 F 1 8:32 A 0",
        // Queueing, three pg_inits, first group disabled with its path failed twice.
        "2 1 3 0 2 2 D 0 1 0 8:16 F 2 A 0 1 0 8:32 A 0",
        // All paths failed, both groups merely enabled.
        "2 1 0 0 2 1 E 0 1 0 8:16 F 7 E 0 1 0 8:32 F 4",
        // queue-length: in-flight count per path.
        "2 0 0 0 2 1 A 0 1 1 8:16 A 0 3 E 0 1 1 8:32 A 0 0",
        // service-time: in-flight size and relative throughput per path.
        "2 0 1 0 1 1 A 0 2 2 8:16 A 0 4096 1 8:32 F 5 0 1",
        // Older kernels reported the handler in the status.
        "1 0 1 alua 1 1 A 0 1 0 8:16 A 0",
        manyPaths
    ]

    static let manyPaths =
        "2 0 0 0 1 1 A 0 128 0 "
        + (0..<128).map { "8:\($0 * 16) \($0 % 3 == 0 ? "F" : "A") \($0 % 5)" }.joined(separator: " ")

    @Test(arguments: roundTrips)
    func parseThenRenderGivesTheSameText(_ text: String) throws {
        #expect(try MultipathStatus(parsing: text).description == text)
    }

    @Test func kernelTrailingSpaceIsAccepted() throws {
        #expect(try MultipathStatus(parsing: "2 0 0 0 1 1 A 0 1 0 8:16 A 0 ").description == "2 0 0 0 1 1 A 0 1 0 8:16 A 0")
    }

    @Test func valuesOfADegradedMap() throws {
        let s = try MultipathStatus(parsing: "2 1 3 0 2 2 D 0 1 0 8:16 F 2 A 0 1 0 8:32 A 0")
        #expect(s.isQueueingIO == true)
        #expect(s.pgInitCount == 3)
        #expect(s.hardwareHandler == [])
        #expect(s.currentGroup == 2)
        #expect(s.groups.map(\.state) == [.disabled, .active])
        #expect(
            s.paths == [
                .init(device: "8:16", isActive: false, failCount: 2),
                .init(device: "8:32", isActive: true, failCount: 0)
            ])
        #expect(s.paths[0].devT == DevT(major: 8, minor: 16))
    }

    @Test func selectorStatusWordsStayWithTheirPath() throws {
        let s = try MultipathStatus(parsing: "2 0 1 0 1 1 A 0 2 2 8:16 A 0 4096 1 8:32 F 5 0 1")
        #expect(s.groups[0].pathStatusCount == 2)
        #expect(s.paths.map(\.selectorStatus) == [["4096", "1"], ["0", "1"]])
        #expect(s.paths.map(\.failCount) == [0, 5])
    }

    @Test func builtFromValues() {
        let s = MultipathStatus(
            currentGroup: 1,
            groups: [
                .init(state: .active, paths: [.init(device: "8:16", isActive: true), .init(device: "8:32", isActive: false, failCount: 1)])
            ])
        #expect(s.description == "2 0 0 0 1 1 A 0 2 0 8:16 A 0 8:32 F 1")
    }

    @Test(arguments: [
        ("2 0 0 0 1 1 X 0 1 0 8:16 A 0", DMTextError(wordIndex: 6, expected: "group state A, E or D", found: "X")),
        ("2 0 0 0 1 1 A 0 1 0 8:16 Q 0", DMTextError(wordIndex: 11, expected: "path state A or F", found: "Q")),
        ("2 0 0 0 1 1 A 0 1 0 8:16 A x", DMTextError(wordIndex: 12, expected: "fail count", found: "x")),
        ("2 0 0 0 1 1 A 0 1 1 8:16 A 0", DMTextError(wordIndex: 13, expected: "selector path status", found: nil)),
        ("2 0 0 0 1 1 A 0 1 0 8:16 A 0 8:32", DMTextError(wordIndex: 13, expected: "end of text", found: "8:32"))
    ])
    func malformedStatusSaysWhereAndWhat(_ text: String, _ error: DMTextError) {
        #expect(throws: error) { try MultipathStatus(parsing: text) }
    }
}
