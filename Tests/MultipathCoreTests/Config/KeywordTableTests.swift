import Foundation
import Testing

@testable import MultipathCore

@Suite struct KeywordTableTests {
    /// Every registration of 0.9.4 (sections and subsections are counted where they are opened), plus our
    /// one extension, `failed_path_reprobe_ms` in `defaults`.
    @Test func registrationsAre213PlusOurExtension() {
        #expect(ConfigSection.allCases.map(\.keywords.count).reduce(0, +) == 214)
        #expect(ConfigSection.defaults.keywords.count == 72 && ConfigSection.device.keywords.count == 45)
    }

    static func statusText(_ k: ConfigKeyword) -> String {
        switch k.status {
        case .implemented: "implemented"
        case .deprecated: "deprecated: ignored, as 0.9.4 does"
        case .notSupported(let reason): "not supported, ignored: \(reason)"
        }
    }

    static var expectedRows: [String] {
        ConfigSection.allCases.flatMap { s in
            s.keywords.map { "| \(s == .top ? "(top level)" : s.rawValue) | `\($0.rawValue)` | \(statusText($0)) |" }
        }
    }

    /// docs/config-keywords.md lists the same keywords with the same status as the code.
    @Test func docsTableMatchesTheCode() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../docs/config-keywords.md")
        let doc = try String(contentsOf: url, encoding: .utf8)
        let rows = doc.split(separator: "\n").map(String.init).filter { $0.hasPrefix("| ") && $0.contains("`") }
        #expect(rows == Self.expectedRows, "expected rows:\n\(Self.expectedRows.joined(separator: "\n"))")
    }

    @Test func everyKeywordHasAValueKindOrIsASection() {
        for s in ConfigSection.allCases {
            for k in s.keywords where s.subsection(k) == nil {
                if case .deprecated = k.kind { #expect(k.status == .deprecated) }
            }
        }
    }
}
