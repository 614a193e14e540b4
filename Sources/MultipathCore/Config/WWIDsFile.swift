/// The wwids file (`/etc/multipath/wwids`): one `/wwid/` per line, `#` comments, as 0.9.4 writes it.
public struct WWIDsFile: Sendable, Hashable {
    public private(set) var wwids: [String] = []
    /// The same WWIDs, for lookups at every path add.
    private var known: Set<String> = []

    public static let header = """
        # Multipath wwids, Version : 1.0
        # NOTE: This file is automatically maintained by multipath and multipathd.
        # You should not need to edit this file in normal circumstances.
        #
        # Valid WWIDs:

        """

    public init(wwids: [String] = []) {
        self.wwids = wwids
        known = Set(wwids)
    }

    /// Lines that are not `/wwid/` are ignored, as 0.9.4 does; duplicates are kept once.
    public static func parse(_ text: String) -> WWIDsFile {
        var file = WWIDsFile()
        for raw in text.split(separator: "\n") {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            guard line.first == "/", let close = line.dropFirst().firstIndex(of: "/") else { continue }
            let wwid = String(line[line.index(after: line.startIndex)..<close])
            if !wwid.isEmpty { file.add(wwid) }
        }
        return file
    }

    public func contains(_ wwid: String) -> Bool { known.contains(wwid) }

    /// Adds a WWID; returns the line to append to the file, or nil if it was known.
    @discardableResult
    public mutating func add(_ wwid: String) -> String? {
        guard known.insert(wwid).inserted else { return nil }
        wwids.append(wwid)
        return "/\(wwid)/\n"
    }

    public mutating func remove(_ wwid: String) {
        guard known.remove(wwid) != nil else { return }
        wwids.removeAll { $0 == wwid }
    }

    public func render() -> String { Self.header + wwids.map { "/\($0)/\n" }.joined() }
}
