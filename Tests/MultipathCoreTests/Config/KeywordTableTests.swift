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

    /// Keywords and sections hash their in-memory bytes (not their names): those must tell every case apart.
    @Test func eachCaseHasItsOwnBytes() {
        func bytes<T>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }
        #expect(Set(ConfigKeyword.allCases.map(bytes)).count == ConfigKeyword.allCases.count)
        #expect(Set(ConfigSection.allCases.map(bytes)).count == ConfigSection.allCases.count)
        #expect(Set(ConfigKeyword.allCases).count == ConfigKeyword.allCases.count)
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

    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// The rows of docs/config-keywords.md's tables with `cells` cells that name a keyword.
    static func docRows(cells: Int) throws -> [String] {
        let doc = try String(contentsOf: here.appendingPathComponent("../../../docs/config-keywords.md"), encoding: .utf8)
        return doc.split(separator: "\n").map(String.init).filter {
            $0.hasPrefix("| ") && $0.contains("`") && $0.split(separator: "|").count == cells
        }
    }

    /// docs/config-keywords.md lists the same keywords with the same status as the code.
    @Test func docsTableMatchesTheCode() throws {
        let rows = try Self.docRows(cells: 3)
        #expect(rows == Self.expectedRows, "expected rows:\n\(Self.expectedRows.joined(separator: "\n"))")
    }

    /// Every implemented keyword names, in the docs, a test that exists and shows its effect.
    @Test func implementedKeywordsNameTheTestOfTheirEffect() throws {
        var named: [ConfigKeyword: String] = [:]
        for row in try Self.docRows(cells: 2) {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: ["`"]) }
            let keyword = try #require(ConfigKeyword(rawValue: cells[0]), "\(row)")
            #expect(keyword.status == .implemented, "\(keyword) is not implemented")
            named[keyword] = cells[1]
        }
        let implemented = Set(ConfigSection.allCases.flatMap(\.keywords).filter { $0.status == .implemented })
        #expect(Set(named.keys) == implemented)
        let sources = try FileManager.default.subpathsOfDirectory(atPath: Self.here.appendingPathComponent("../..").path)
            .filter { $0.hasSuffix(".swift") }
            .map { try String(contentsOf: Self.here.appendingPathComponent("../..").appendingPathComponent($0), encoding: .utf8) }
        for (keyword, test) in named {
            let parts = test.split(separator: ".")
            let found = parts.count == 2 && sources.contains { $0.contains("struct \(parts[0]) ") && $0.contains("func \(parts[1])(") }
            #expect(found, "\(keyword): no test \(test)")
        }
    }

    @Test func everyKeywordHasAValueKindOrIsASection() {
        for s in ConfigSection.allCases {
            for k in s.keywords where s.subsection(k) == nil {
                if case .deprecated = k.kind { #expect(k.status == .deprecated) }
            }
        }
    }
}
