import Testing

@testable import MultipathCore

@Suite struct ConfigLexerTests {
    typealias T = ConfigLexer.Token
    static func w(_ s: String) -> T { T(kind: .word, text: s) }
    static func q(_ s: String, _ closed: Bool = true) -> T { T(kind: .quoted(terminated: closed), text: s) }
    static let open = T(kind: .open, text: "{"), close = T(kind: .close, text: "}")

    static let cases: [(String, [T])] = [
        ("polling_interval 5", [w("polling_interval"), w("5")]),
        ("  \tfailback   immediate  ", [w("failback"), w("immediate")]),
        ("vendor \"HP\"", [w("vendor"), q("HP")]),
        ("product \"2.5\"\" SSD\"", [w("product"), q("2.5\" SSD")]),
        ("prio_args \"\"", [w("prio_args"), q("")]),
        ("alias \"no end", [w("alias"), q("no end", false)]),
        ("devnode \"!^sd#x\" # comment", [w("devnode"), q("!^sd#x")]),
        ("# a comment", []),
        ("! also a comment", []),
        ("failback manual # trailing", [w("failback"), w("manual")]),
        ("failback manual! trailing", [w("failback"), w("manual")]),
        ("defaults{", [w("defaults"), open]),
        ("}", [close]),
        ("device{vendor}", [w("device"), open, w("vendor"), close]),
        ("wwid abc\"def\"", [w("wwid"), w("abc"), q("def")]),
        ("vendor caf\u{e9}", [w("vendor"), w("caf")]),
        ("", [])
    ]

    @Test(arguments: cases)
    func tokens(_ c: (String, [T])) {
        #expect(ConfigLexer.lines(c.0).first?.tokens ?? [] == c.1)
    }

    @Test func lineNumbersCountEmptyAndCommentLines() {
        let lines = ConfigLexer.lines("defaults {\n\n# c\n  verbosity 3\r\n}\n")
        #expect(lines.map(\.number) == [1, 4, 5])
        #expect(lines[1].tokens == [Self.w("verbosity"), Self.w("3")])
    }

    @Test func carriageReturnEndsTheLine() {
        #expect(ConfigLexer.lines("failback manual\rimmediate").first?.tokens == [Self.w("failback"), Self.w("manual")])
    }

    @Test func lineOf1023BytesIsOneLine() {
        let value = String(repeating: "x", count: 1023 - "wwid ".count)
        let lines = ConfigLexer.lines("wwid \(value)\nnext 1")
        #expect(lines.count == 2)
        #expect(lines[0].tokens[1].text == value && !lines[0].isContinuation)
        #expect(lines[1].number == 2)
    }

    @Test func longerLineContinuesOnTheNextLineNumber() {
        let value = String(repeating: "y", count: 1100)
        let lines = ConfigLexer.lines("wwid \(value)\nnext 1")
        #expect(lines.count == 3)
        #expect(lines[0].tokens[1].text.utf8.count == 1023 - 5)
        #expect(lines[1].isContinuation && lines[1].number == 2 && lines[1].tokens[0].text.utf8.count == 1100 - 1018)
        #expect(lines[2].number == 3)
    }
}
