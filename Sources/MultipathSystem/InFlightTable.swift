import MultipathCore

/// Commands handed to the kernel and not yet returned by it, for the asynchronous edges (`SGDevice`,
/// `DirectIOContext`): their ids (sg pack ids, AIO `aio_data`), deadlines, the memory the kernel writes
/// into (`Resources`, freed by `release` once the kernel returned the command or the edge closed), and
/// their completions, each called exactly once.
///
/// A command reported early (timed out, device gone) stays in the table without its completion until
/// the kernel returns it: it keeps its id and its buffers, and its late return is only counted.
/// Completions run after the table is consistent, so one may submit the next command at once.
public final class InFlightTable<Resources, Outcome> {
    public final class Entry {
        public let id: UInt64
        public let resources: Resources
        public let deadline: Instant
        /// nil once the outcome was reported: the entry then only waits for the kernel.
        fileprivate var completion: ((Outcome) -> Void)?

        fileprivate init(id: UInt64, resources: Resources, deadline: Instant, completion: @escaping (Outcome) -> Void) {
            self.id = id
            self.resources = resources
            self.deadline = deadline
            self.completion = completion
        }
    }

    /// What `finish` found for an id the kernel returned.
    public enum Finish: Equatable {
        case delivered
        /// Reported before (timed out): discarded.
        case late
        /// No such id (should not happen).
        case unmatched
    }

    public let capacity: Int
    private let maxID: UInt64
    private let release: (Resources) -> Void
    /// In submission order, so that outcomes reported together are delivered in that order.
    private var entries: [Entry] = []
    private var lastID: UInt64 = 0

    /// Ids run 1...`maxID` and wrap, skipping those still held by the kernel.
    public init(capacity: Int, maxID: UInt64 = .max, release: @escaping (Resources) -> Void) {
        precondition(capacity > 0 && UInt64(capacity) < maxID)
        self.capacity = capacity
        self.maxID = maxID
        self.release = release
    }

    deinit {
        for e in entries { release(e.resources) }
    }

    /// Commands held by the kernel, including those already reported.
    public var count: Int { entries.count }
    public var isFull: Bool { entries.count >= capacity }

    /// The earliest deadline of a command not yet reported: when to call `expire(now:)`.
    public var earliestDeadline: Instant? {
        var earliest: Instant?
        for e in entries where e.completion != nil && earliest.map({ e.deadline < $0 }) ?? true { earliest = e.deadline }
        return earliest
    }

    /// An id unique among the commands the kernel holds, for the next `insert`.
    public func nextID() -> UInt64 {
        repeat {
            lastID = lastID >= maxID ? 1 : lastID + 1
        } while entries.contains(where: { $0.id == lastID })
        return lastID
    }

    /// Records a command the kernel accepted.
    public func insert(id: UInt64, resources: Resources, deadline: Instant, completion: @escaping (Outcome) -> Void) {
        precondition(!isFull, "in-flight table over capacity")
        entries.append(Entry(id: id, resources: resources, deadline: deadline, completion: completion))
    }

    /// The kernel returned `id`: its outcome is made from its resources (still valid inside `outcome`),
    /// the resources are released and the completion, unless already reported, is called.
    @discardableResult
    public func finish(_ id: UInt64, _ outcome: (Resources) -> Outcome) -> Finish {
        guard let i = entries.firstIndex(where: { $0.id == id }) else { return .unmatched }
        let e = entries.remove(at: i)
        guard let completion = e.completion else {
            release(e.resources)
            return .late
        }
        e.completion = nil
        let o = outcome(e.resources)
        release(e.resources)
        completion(o)
        return .delivered
    }

    /// Reports every command whose deadline is at or before `now` as `outcome`; each stays until the
    /// kernel returns it. `each` sees a command as it is reported (to ask the kernel to cancel it).
    public func expire(now: Instant, as outcome: Outcome, _ each: (Entry) -> Void = { _ in }) {
        var due: [(Outcome) -> Void] = []
        for e in entries where e.deadline <= now {
            guard let c = e.completion else { continue }
            e.completion = nil
            due.append(c)
            each(e)
        }
        for c in due { c(outcome) }
    }

    /// Reports every command not yet reported as `outcome` (the device went away); each stays until the
    /// kernel returns it or `removeAll` runs.
    public func reportAll(_ outcome: Outcome) {
        var due: [(Outcome) -> Void] = []
        for e in entries {
            if let c = e.completion { due.append(c) }
            e.completion = nil
        }
        for c in due { c(outcome) }
    }

    /// The kernel will write into none of them any more (the fd or context is closed): releases every
    /// command and reports those not yet reported as `outcome`.
    public func removeAll(_ outcome: Outcome) {
        let pending = entries
        entries = []
        for e in pending { release(e.resources) }
        var due: [(Outcome) -> Void] = []
        for e in pending {
            if let c = e.completion { due.append(c) }
            e.completion = nil
        }
        for c in due { c(outcome) }
    }
}
