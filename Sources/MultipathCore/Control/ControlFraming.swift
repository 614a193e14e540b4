/// The control socket's framing, both ways: an 8-byte length in host byte order, then the payload
/// including its terminating NUL. Connections carry many request/reply pairs.
public enum ControlFraming {
    /// 0.9.4 refuses requests longer than this (and empty ones) by closing the connection.
    public static let maxRequestLength = 512

    /// A frame for `payload` (the NUL is appended).
    public static func frame(_ payload: String) -> [UInt8] {
        var bytes = Array(payload.utf8)
        bytes.append(0)
        var out = withUnsafeBytes(of: UInt64(bytes.count)) { Array($0) }
        out.append(contentsOf: bytes)
        return out
    }
}

/// Reassembles requests from whatever pieces the socket hands over.
public struct ControlRequestDecoder: Sendable {
    public enum Event: Hashable, Sendable {
        case request(String)
        /// Length 0 or over the limit: the connection is to be closed.
        case invalidLength(UInt64)
    }

    private var buffer: [UInt8] = []
    private var expected: Int?
    private let limit: Int

    public init(limit: Int = ControlFraming.maxRequestLength) { self.limit = limit }

    /// Bytes of a frame begun and not finished, its length included (0 between requests).
    public var pendingByteCount: Int { expected == nil ? buffer.count : 8 + buffer.count }

    /// Feeds bytes in; returns the complete events they finish, in order. After `.invalidLength` the
    /// decoder must not be fed again.
    public mutating func feed(_ bytes: some Collection<UInt8>) -> [Event] {
        buffer.append(contentsOf: bytes)
        var events: [Event] = []
        while true {
            if expected == nil {
                guard buffer.count >= 8 else { break }
                let length = buffer.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                buffer.removeFirst(8)
                guard length > 0, length <= UInt64(limit) else {
                    events.append(.invalidLength(length))
                    buffer.removeAll()
                    return events
                }
                expected = Int(length)
            }
            guard let n = expected, buffer.count >= n else { break }
            var payload = buffer[..<n]
            if payload.last == 0 { payload = payload.dropLast() }
            events.append(.request(String(decoding: payload, as: UTF8.self)))
            buffer.removeFirst(n)
            expected = nil
        }
        return events
    }
}
