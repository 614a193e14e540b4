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

    /// As 0.9.4 reads it: a line counts when its first byte is `/`, and the WWID runs to the next `/`
    /// (whatever follows, a `\r` included, is ignored); other lines are ignored; duplicates are kept once.
    /// Bytes, not Characters: `"\r\n"` is one Character and would hide the line break.
    public static func parse(_ text: String) -> WWIDsFile {
        var file = WWIDsFile()
        let slash = UInt8(ascii: "/")
        for line in text.utf8.split(separator: UInt8(ascii: "\n")) where line.first == slash {
            let rest = line.dropFirst()
            guard let close = rest.firstIndex(of: slash), close > rest.startIndex else { continue }
            file.add(String(decoding: rest[..<close], as: UTF8.self))
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
