/// How a directio checker read (one block, O_DIRECT) ended.
public enum DirectReadOutcome: Hashable, Sendable {
    /// The kernel finished the read: `bytes` transferred of `expected`.
    case finished(bytes: Int, expected: Int)
    /// The kernel finished it with an error (the `res` of the io_event, negated), described by the edge.
    case ioError(code: Int32, description: String)
    /// Our deadline passed first.
    case timedOut
    /// It could not be submitted.
    case failed(String)
}

extension CommandInterpreter {
    /// multipath-tools' directio checker: a full read is up, anything else down, no answer in time timeout.
    public static func interpret(_ o: DirectReadOutcome) -> CheckerVerdict {
        switch o {
        case .finished(let n, let expected) where n == expected:
            CheckerVerdict(.up, "directio read good")
        case .finished(let n, let expected):
            CheckerVerdict(.down, "directio read returned \(n) of \(expected) bytes")
        case .ioError(let code, let text):
            CheckerVerdict(.down, "directio read failed: \(text) (errno \(code))")
        case .timedOut:
            CheckerVerdict(.timeout, "directio read timed out")
        case .failed(let why):
            CheckerVerdict(.down, "directio read could not run: \(why)")
        }
    }
}
