import MultipathCore
import Testing

@Suite struct PRKeysFileTests {
    @Test(arguments: [
        ("0x123abc", PRKey(value: 0x123abc)), ("123ABC", PRKey(value: 0x123abc)), ("0X5", PRKey(value: 5)),
        ("0x5:aptpl", PRKey(value: 5, aptpl: true)), ("5:other", PRKey(value: 5)), ("ffffffffffffffff", PRKey(value: .max)),
        ("0x", nil), ("", nil), ("xyz", nil), ("0x1ffffffffffffffff", nil), ("0x-1", nil)
    ])
    func keysParseAs094Does(text: String, key: PRKey?) {
        #expect(PRKey(parsing: text) == key)
    }

    @Test func keysPrintAsGetprkeyPrintsThem() {
        #expect("\(PRKey(value: 0x123abc))" == "0x123abc")
        #expect("\(PRKey(value: 5, aptpl: true))" == "0x5:aptpl")
    }

    @Test func setReplacesInPlaceAppendsAndCommentsOut() {
        var f = PRKeysFile(nil)
        #expect(f.text == PRKeysFile.header)
        f.set(PRKey(value: 1), for: "3600a")
        f.set(PRKey(value: 2, aptpl: true), for: "3600b")
        #expect(f.text == PRKeysFile.header + "0x0000000000000001 3600a\n0X0000000000000002 3600b\n")
        #expect(f.key(for: "3600b") == PRKey(value: 2, aptpl: true))
        f.set(PRKey(value: 3), for: "3600a")
        f.set(nil, for: "3600b")
        #expect(f.text == PRKeysFile.header + "0x0000000000000003 3600a\n#X0000000000000002 3600b\n")
        #expect(f.key(for: "3600b") == nil && f.key(for: "3600a") == PRKey(value: 3))
        // Set again, the commented line is rewritten in place (0.9.4), not a second line appended.
        f.set(PRKey(value: 4), for: "3600b")
        #expect(f.key(for: "3600b") == PRKey(value: 4))
        #expect(f.text == PRKeysFile.header + "0x0000000000000003 3600a\n0x0000000000000004 3600b\n")
        // A WWID that is a suffix of another one's is not taken for it.
        #expect(f.key(for: "600a") == nil)
    }

    /// 0.9.4 wants the WWID followed by a newline byte: a CRLF line is not the map's, and a line added
    /// after it does not disturb it.
    @Test func linesAreBytes() {
        var f = PRKeysFile("0x0000000000000001 3600a\r\n0x0000000000000002 3600b\n")
        #expect(f.key(for: "3600a") == nil && f.key(for: "3600b") == PRKey(value: 2))
        f.set(PRKey(value: 5), for: "3600a")
        #expect(f.text == "0x0000000000000001 3600a\r\n0x0000000000000002 3600b\n0x0000000000000005 3600a\n")
        #expect(f.key(for: "3600a") == PRKey(value: 5))
    }
}
