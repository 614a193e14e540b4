import Testing

@testable import MultipathCore

@Suite struct ControlGrammarTests {
    @Test(arguments: [
        ("show paths", ControlCommand.showPaths(format: nil, raw: false)),
        ("list paths", .showPaths(format: nil, raw: false)),
        ("sho paths", .showPaths(format: nil, raw: false)),
        ("show paths format \"%d %t\"", .showPaths(format: "%d %t", raw: false)),
        ("show paths raw format %d", .showPaths(format: "%d", raw: true)),
        ("show path sdb", .showPath("sdb")),
        ("show maps", .showMaps),
        ("show multipaths", .showMaps),
        ("show maps topology", .showTopology(map: nil)),
        ("show topology", .showTopology(map: nil)),
        ("show map mpatha topology", .showTopology(map: "mpatha")),
        ("show multipath 3600a0b8 json", .showMapJSON("3600a0b8")),
        ("show stats json", .showStatsJSON),
        ("show stats j", .showStatsJSON),
        ("show map mpatha raw format %n", .showMapFormat(map: "mpatha", format: "%n")),
        ("show config local", .showConfig(local: true)),
        ("show conf", .showConfig(local: false)),
        ("show daemon", .showDaemon),
        ("switchgroup map mpatha group 2", .switchGroup(map: "mpatha", group: "2")),
        ("switchg map mpatha group 2", .switchGroup(map: "mpatha", group: "2")),
        ("switch multipath mpatha group 1", .switchGroup(map: "mpatha", group: "1")),
        ("remove path sdc", .delPath("sdc")),
        ("del maps", .delMaps),
        ("reconfigure", .reconfigure(all: false)),
        ("reconfigure all", .reconfigure(all: true)),
        ("disablequeueing maps", .disableQueueing(map: nil)),
        ("restorequeueing map mpatha", .restoreQueueing(map: "mpatha")),
        ("forcequeueing daemon", .forceQueueingDaemon),
        ("setprkey map mpatha key 0x123abc", .setPRKey(map: "mpatha", key: "0x123abc")),
        ("unsetmarginal map mpatha", .unsetMarginalMap("mpatha")),
        ("exit", .quit),
        ("shutdown", .shutdown),
        ("  show   paths  ", .showPaths(format: nil, raw: false)),
        // 0.9.4's tokenizer: "" inside a string is one quote; an unclosed string runs to the end; `#` and
        // `!` outside a string start a comment; bytes, so a CRLF separates as two spaces do.
        ("switch map \"mp\"\"a\" group \"2\"\"\"", .switchGroup(map: "mp\"a", group: "2\"")),
        ("show paths format \"%d %t", .showPaths(format: "%d %t", raw: false)),
        ("show maps #json", .showMaps),
        ("show maps!json", .showMaps),
        ("show map \"m#1\" json", .showMapJSON("m#1")),
        ("show\r\nmaps\r\n", .showMaps),
        ("show paths format\"%d\"", .showPaths(format: "%d", raw: false))
    ])
    func parses(request: String, expected: ControlCommand) {
        #expect(ControlGrammar.parse(request) == .success(expected))
    }

    @Test(arguments: [
        ("swi map m group 1", ControlParseError.notFound),  // switch and switchgroup: ambiguous
        ("s paths", .notFound),  // show, switch, ...: ambiguous
        ("show stat", .notFoundAtEnd),  // status or stats
        ("show pa", .notFoundAtEnd),  // path or paths
        ("show bogus", .notFoundAtEnd),
        ("show path", .missingArgument),
        ("show map mpatha group", .missingArgument),
        ("show paths maps", .missingArgument),  // keywords that form no command
        ("show map m raw format %n topology", .missingArgument),  // five keywords
        ("show map \"\"", .missingArgument),  // an empty string is no word
        ("show map \"mpatha json", .missingArgument),  // the string swallows `json`
        ("show bogus \"", .notFound),  // the closing quote is the last token
        ("", .noWords),
        (" \n", .noWords),
        ("# show maps", .noWords)
    ])
    func refuses(request: String, expected: ControlParseError) {
        #expect(ControlGrammar.parse(request) == .failure(expected))
    }

    @Test func tokensAsZeroNineFourCutsThem() {
        #expect(ControlWords.tokens("a\"b c\"{d}") == [.word("a"), .quote, .word("b c"), .quote, .word("{"), .word("d"), .word("}")])
        #expect(ControlWords.tokens("\"\"\"x\"") == [.quote, .word("\"x"), .quote])
        #expect(ControlWords.tokens("a\u{e9}b") == [.word("a"), .word("b")])
    }

    /// 0.9.4 answers a blank request with its ENOMEM text, the (empty) request first.
    @Test func blankRequestIsAnsweredAsZeroNineFourDoes() {
        let reply = ControlGrammar.reply(toUnparsable: "", error: .noWords, version: "v")
        #expect(reply.hasPrefix(": Not enough memory\nv\nCLI commands reference:\n"))
    }

    @Test func exactSpellingWinsOverLongerOnes() {
        #expect(ControlGrammar.keyword(for: "map") == .map)
        #expect(ControlGrammar.keyword(for: "multipath") == .map)
        #expect(ControlGrammar.keyword(for: "multipaths") == .maps)
        #expect(ControlGrammar.keyword(for: "path") == .path)
        #expect(ControlGrammar.keyword(for: "multipa") == nil)
    }

    /// 0.9.4's 57 and our `show stats json`.
    @Test func thereAre58Patterns() {
        #expect(controlPatterns.count == 58)
        #expect(Set(controlPatterns.map(\.keywords)).count == 58)
        #expect(controlPatterns.last?.keywords == [.list, .stats, .json])
    }

    @Test func onlyListingIsReadOnly() {
        #expect(ControlCommand.showPaths(format: nil, raw: false).isReadOnly)
        #expect(!ControlCommand.failPath("sdb").isReadOnly)
        #expect(!ControlCommand.reconfigure(all: false).isReadOnly)
    }

    @Test func helpTextNamesEveryPattern() {
        let help = ControlGrammar.help(for: "show bogus", error: .notFoundAtEnd, version: "v")
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "show bogus: not found")
        #expect(lines[2] == "CLI commands reference:")
        #expect(lines[3] == " list|show paths")
        #expect(help.contains(" switch|switchgroup map|multipath $map group $group\n"))
        #expect(lines.count == 3 + 58 + 1)
    }
}

@Suite struct ControlFramingTests {
    @Test func roundTripInPieces() {
        var decoder = ControlRequestDecoder()
        let bytes = ControlFraming.frame("show paths") + ControlFraming.frame("show maps")
        var events: [ControlRequestDecoder.Event] = []
        for b in bytes { events += decoder.feed([b]) }
        #expect(events == [.request("show paths"), .request("show maps")])
        #expect(decoder.pendingByteCount == 0)
    }

    @Test func frameCarriesLengthWithNul() {
        let f = ControlFraming.frame("ok\n")
        #expect(f.count == 8 + 4)
        #expect(f[0] == 4 && f[1...7].allSatisfy { $0 == 0 })
        #expect(f.last == 0)
    }

    @Test(arguments: [UInt64(0), 513, 1 << 40])
    func badLengthsCloseTheConnection(length: UInt64) {
        var decoder = ControlRequestDecoder()
        let header = withUnsafeBytes(of: length) { Array($0) }
        #expect(decoder.feed(header + [65, 0]) == [.invalidLength(length)])
    }

    @Test func maximumLengthIsAccepted() {
        var decoder = ControlRequestDecoder()
        let payload = String(repeating: "a", count: 511)
        #expect(decoder.feed(ControlFraming.frame(payload)) == [.request(payload)])
    }
}
