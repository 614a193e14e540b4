/// `find_multipaths`: whether multipathd makes a map for a new, non-blacklisted path.
public struct FindMultipathsPolicy: Sendable, Hashable {
    public enum Verdict: Hashable, Sendable {
        case multipath
        case notMultipath
        /// smart: wait for a sibling path until then; ask again at that instant.
        case waitUntil(Instant)
    }

    public var mode: FindMultipathsMode
    /// `find_multipaths_timeout`: > 0 for all devices; < 0 for known hardware, 1 s for unknown; 0 means -10.
    public var timeout: Int

    public init(mode: FindMultipathsMode, timeout: Int) {
        self.mode = mode
        self.timeout = timeout
    }

    public init(_ config: Config) {
        self.init(mode: config.findMultipaths, timeout: config.findMultipathsTimeout)
    }

    /// How long smart mode waits for a second path.
    public func waitTime(knownHardware: Bool) -> Duration {
        let t = timeout == 0 ? -10 : timeout
        if t > 0 { return .seconds(t) }
        return knownHardware ? .seconds(-t) : .seconds(1)
    }

    /// - Parameters:
    ///   - knownWWID: the WWID is in the wwids file.
    ///   - mapExists: a map with this WWID exists already.
    ///   - siblings: other valid paths with the same WWID.
    ///   - firstSeen: when this path was first seen (smart mode's clock starts there).
    public func decide(
        knownWWID: Bool, mapExists: Bool, siblings: Int, knownHardware: Bool,
        firstSeen: Instant, now: Instant
    ) -> Verdict {
        if mapExists { return .multipath }
        switch mode {
        // "off" (and "no"): the daemon takes every path, as 0.9.4's multipathd does.
        case .greedy, .off: return .multipath
        case .strict: return knownWWID ? .multipath : .notMultipath
        case .on: return knownWWID || siblings > 0 ? .multipath : .notMultipath
        case .smart:
            if knownWWID || siblings > 0 { return .multipath }
            let deadline = firstSeen + waitTime(knownHardware: knownHardware)
            return now < deadline ? .waitUntil(deadline) : .notMultipath
        }
    }
}
