import MultipathCore
import Testing

/// Found by Fuzz/FuzzDM: the kernel splits table and status text at every blank byte, while Swift's
/// `Character` joins a blank and a combining mark after it into one (`" \u{301}"` is no `" "`), so a
/// word starting with a combining mark glued itself to the word before: a table printed and read back
/// differed.
@Suite struct DMWordSplitTests {
    @Test func aCombiningMarkAfterABlankStartsAWord() throws {
        let table = try MultipathTable(parsing: "0 0 1 1 round-robin 0 1 1 8:16 \u{301}1")
        #expect(table.groups[0].paths[0].args == ["\u{301}1"])
        #expect(try MultipathTable(parsing: table.description) == table)
        let tab = try MultipathTable(parsing: "0 0 1 1 round-robin 0 1 1 8:16\t\u{33a}1")
        #expect(tab.groups[0].paths[0].args == ["\u{33a}1"])
    }

    @Test func statusWordsToo() throws {
        let status = try MultipathStatus(parsing: "2 0 0 0 1 1 A 0 1 1 8:16 A 0 \u{301}7")
        #expect(status.groups[0].paths[0].selectorStatus == ["\u{301}7"])
        #expect(try MultipathStatus(parsing: status.description) == status)
    }
}
