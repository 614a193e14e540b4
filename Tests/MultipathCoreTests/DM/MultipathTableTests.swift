import MultipathCore
import Testing

@Suite struct MultipathTableTests {
    /// Tables as the kernel prints them (`dmsetup table`, without the trailing space).
    static let roundTrips: [String] = [
        // No groups at all (a map whose last path left).
        "0 0 0 0",
        "1 queue_if_no_path 0 1 1 round-robin 0 2 1 8:16 1000 8:32 1000",
        // Features with values, ALUA handler, group_by_prio with two service-time groups.
        "3 queue_if_no_path pg_init_retries 50 1 alua 2 1 service-time 0 1 2 8:16 1 1 service-time 0 1 2 8:32 1 1",
        // Hardware handler with arguments.
        "0 2 rdac x 1 1 round-robin 0 1 1 8:48 1000",
        "2 pg_init_retries 50 0 2 2 queue-length 0 1 1 8:16 1 queue-length 0 1 1 8:32 1",
        "4 queue_if_no_path retain_attached_hw_handler queue_mode bio 0 1 1 round-robin 0 1 1 8:16 1000",
        "2 pg_init_delay_msecs 2500 1 emc 1 1 round-robin 0 1 1 8:64 1000",
        // Selector arguments at group level, no per-path arguments.
        "0 0 1 1 historical-service-time 2 3 10 2 0 8:16 8:32",
        // A load may name device nodes instead of numbers.
        "0 0 1 1 round-robin 0 2 1 /dev/sdb 1000 /dev/sdc 1000",
        // A group without paths still says how many arguments its paths would take.
        "0 0 2 1 round-robin 0 1 1 8:16 1000 round-robin 0 0 1",
        manyPaths
    ]

    static let manyPaths =
        "1 queue_if_no_path 0 1 1 round-robin 0 256 1 "
        + (0..<256).map { "\(8 + $0 / 16 * 57):\($0 % 16 * 16) 1000" }.joined(separator: " ")

    @Test(arguments: roundTrips)
    func parseThenRenderGivesTheSameText(_ text: String) throws {
        #expect(try MultipathTable(parsing: text).description == text)
    }

    @Test func trailingSpaceAndNewlineFromTheKernelAreAccepted() throws {
        let t = try MultipathTable(parsing: "1 queue_if_no_path 0 1 1 round-robin 0 1 1 8:16 1000 \n")
        #expect(t.description == "1 queue_if_no_path 0 1 1 round-robin 0 1 1 8:16 1000")
    }

    @Test func valuesOfATypicalTable() throws {
        let t = try MultipathTable(parsing: Self.roundTrips[2])
        #expect(t.features == ["queue_if_no_path", "pg_init_retries", "50"])
        #expect(t.queueIfNoPath)
        #expect(t.pgInitRetries == 50)
        #expect(t.pgInitDelayMilliseconds == nil)
        #expect(t.hardwareHandler == ["alua"])
        #expect(t.initialGroup == 1)
        #expect(t.groups.map(\.selector) == ["service-time", "service-time"])
        #expect(t.groups[1].paths == [.init(DevT(major: 8, minor: 32), args: ["1", "1"])])
        #expect(t.groups[1].paths[0].devT == DevT(major: 8, minor: 32))
        #expect(t.pathDevices == ["8:16", "8:32"])
    }

    @Test func manyPathsAreAllRead() throws {
        let t = try MultipathTable(parsing: Self.manyPaths)
        #expect(t.groups[0].paths.count == 256)
        #expect(Set(t.pathDevices).count == 256)
    }

    @Test func builtFromValues() {
        let t = MultipathTable(
            features: ["queue_if_no_path"], hardwareHandler: ["alua"], initialGroup: 2,
            groups: [
                .init(selector: "service-time", pathArgCount: 2, paths: [.init(DevT(major: 8, minor: 0), args: ["1", "1"])]),
                .init(selector: "service-time", pathArgCount: 2, paths: [.init(DevT(major: 65, minor: 16), args: ["1", "1"])])
            ])
        #expect(t.description == "1 queue_if_no_path 1 alua 2 2 service-time 0 1 2 8:0 1 1 service-time 0 1 2 65:16 1 1")
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var text: String
        var error: DMTextError
        var testDescription: String { "'\(text)'" }
    }

    static let bad: [Bad] = [
        Bad(text: "", error: .init(wordIndex: 0, expected: "number of feature words", found: nil)),
        Bad(text: "1", error: .init(wordIndex: 1, expected: "feature words", found: nil)),
        Bad(text: "-1 0 0 0", error: .init(wordIndex: 0, expected: "number of feature words", found: "-1")),
        Bad(text: "0 0 x 0", error: .init(wordIndex: 2, expected: "number of groups", found: "x")),
        Bad(text: "0 0 1 1 round-robin 0 2 1 8:16 1000", error: .init(wordIndex: 10, expected: "path device", found: nil)),
        Bad(text: "0 0 1 1 round-robin 0 1 1 8:16", error: .init(wordIndex: 9, expected: "path arg", found: nil)),
        Bad(text: "0 0 0 0 extra", error: .init(wordIndex: 4, expected: "end of text", found: "extra"))
    ]

    @Test(arguments: bad)
    func malformedTablesSayWhereAndWhat(_ c: Bad) {
        #expect(throws: c.error) { try MultipathTable(parsing: c.text) }
    }

    @Test func errorTextNamesTheWord() {
        #expect(
            DMTextError(wordIndex: 2, expected: "number of groups", found: "x").description
                == "word 3: expected number of groups, found 'x'")
        #expect(
            DMTextError(wordIndex: 0, expected: "number of feature words", found: nil).description
                == "word 1: expected number of feature words, found end of text")
    }
}
