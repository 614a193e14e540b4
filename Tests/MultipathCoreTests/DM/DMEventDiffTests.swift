import MultipathCore
import Testing

@Suite struct DMEventDiffTests {
    static func m(_ name: String, _ minor: UInt32, _ nr: UInt32) -> DMMapEvent {
        DMMapEvent(name: name, devT: DevT(major: 253, minor: minor), eventNr: nr)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var previous: [DMMapEvent]
        var current: [DMMapEvent]
        var expected: DMEventDiff
    }

    static let cases: [Case] = [
        Case(testDescription: "nothing before, nothing now", previous: [], current: [], expected: .init()),
        Case(testDescription: "unchanged", previous: [m("a", 0, 1)], current: [m("a", 0, 1)], expected: .init()),
        Case(testDescription: "event number moved", previous: [m("a", 0, 1), m("b", 1, 4)], current: [m("a", 0, 1), m("b", 1, 6)],
             expected: .init(changed: [m("b", 1, 6)])),
        Case(testDescription: "new map", previous: [m("a", 0, 1)], current: [m("a", 0, 1), m("c", 2, 0)],
             expected: .init(added: [m("c", 2, 0)])),
        Case(testDescription: "vanished map", previous: [m("a", 0, 1), m("b", 1, 4)], current: [m("b", 1, 4)],
             expected: .init(removed: [m("a", 0, 1)])),
        Case(testDescription: "recreated under the same name with another minor",
             previous: [m("a", 0, 9)], current: [m("a", 3, 0)],
             expected: .init(added: [m("a", 3, 0)], removed: [m("a", 0, 9)])),
        Case(testDescription: "renamed", previous: [m("a", 0, 2)], current: [m("b", 0, 3)],
             expected: .init(added: [m("b", 0, 3)], removed: [m("a", 0, 2)])),
        Case(testDescription: "counter wrapped is still a change", previous: [m("a", 0, .max)], current: [m("a", 0, 0)],
             expected: .init(changed: [m("a", 0, 0)])),
        Case(testDescription: "all at once, in list order",
             previous: [m("x", 5, 1), m("a", 0, 1), m("b", 1, 1)], current: [m("b", 1, 2), m("n", 6, 0), m("a", 0, 7)],
             expected: .init(changed: [m("b", 1, 2), m("a", 0, 7)], added: [m("n", 6, 0)], removed: [m("x", 5, 1)])),
    ]

    @Test(arguments: cases)
    func diff(_ c: Case) {
        let d = DMEventDiff(previous: c.previous, current: c.current)
        #expect(d == c.expected)
        #expect(d.isEmpty == (c.expected == DMEventDiff()))
    }
}
