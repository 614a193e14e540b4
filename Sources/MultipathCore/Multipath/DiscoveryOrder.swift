/// The order the daemon discovered its devices in: udev's enumeration at start, then each add after
/// the others. 0.9.4 keeps its paths in this order (its path vector), so `show paths` lists them so and
/// a map's table takes its paths in it (within a group).
struct DiscoveryOrder: Sendable {
    private var rank: [DevT: Int] = [:]
    private var next = 0

    /// A device is seen; one already known keeps its place.
    mutating func saw(_ devT: DevT) {
        guard rank[devT] == nil else { return }
        rank[devT] = next
        next += 1
    }

    /// The device went away: if it comes back, it comes last.
    mutating func forget(_ devT: DevT) { rank[devT] = nil }

    /// `devTs` in discovery order; a device never seen (none in practice) after the others, by number.
    func sorted(_ devTs: some Sequence<DevT>) -> [DevT] {
        devTs.sorted { a, b in
            let (ra, rb) = (rank[a] ?? .max, rank[b] ?? .max)
            return ra != rb ? ra < rb : a < b
        }
    }
}
