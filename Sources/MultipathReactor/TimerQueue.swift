import MultipathCore

/// Names a scheduled timer: `generation << 32 | slot`. It goes stale once the timer fires or is
/// cancelled, so an old token never touches a timer that later reuses its slot.
public struct TimerToken: Hashable, Sendable {
    public let rawValue: UInt64
    var slot: Int { Int(truncatingIfNeeded: rawValue & 0xffff_ffff) }
    var generation: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 32) }
    init(slot: Int, generation: UInt32) { rawValue = UInt64(generation) << 32 | UInt64(slot) }
}

/// Pending deadlines, each a window [earliest, latest]: a timer may fire once the clock passes
/// `earliest`, and the loop must wake by `latest`.
///
/// Two binary heaps over one slot table: by (earliest, sequence), the order timers fire in, and by
/// (latest, sequence), the instant the loop must wake at. Sleeping until the smallest `latest` and then
/// firing everything whose `earliest` has passed lets timers with overlapping windows share a wakeup.
/// Each slot knows its position in both heaps, so cancel and reschedule are O(log n).
public struct TimerQueue {
    public struct Timer {
        public var name: String
        public var handler: () throws -> Void
        public init(name: String, handler: @escaping () throws -> Void) {
            self.name = name
            self.handler = handler
        }
    }

    fileprivate struct Slot {
        var earliest = Instant.zero
        var latest = Instant.zero
        var sequence: UInt64 = 0
        var generation: UInt32 = 1
        var positionByEarliest: Int32 = -1  // -1: free
        var positionByLatest: Int32 = -1
    }

    private var slots: [Slot] = []
    private var timers: [Timer?] = []
    private var freeSlots: [Int] = []
    private var byEarliest = SlotHeap(byLatest: false)
    private var byLatest = SlotHeap(byLatest: true)
    private var nextSequence: UInt64 = 0

    public init() {}

    public var count: Int { byEarliest.items.count }
    public var isEmpty: Bool { byEarliest.items.isEmpty }

    /// When the first timer may fire.
    public var nextEarliest: Instant? { byEarliest.items.first.map { slots[Int($0)].earliest } }

    /// When the loop must be awake: the smallest `latest` of all pending timers.
    public var nextLatest: Instant? { byLatest.items.first.map { slots[Int($0)].latest } }

    /// Adds a timer; `latest` below `earliest` is taken as `earliest`. Ties fire in insertion order.
    public mutating func schedule(earliest: Instant, latest: Instant? = nil, _ timer: Timer) -> TimerToken {
        let slot: Int
        if let reused = freeSlots.popLast() {
            slot = reused
            timers[slot] = timer
        } else {
            slot = slots.count
            precondition(slot < Int(UInt32.max), "too many timers")
            slots.append(Slot())
            timers.append(timer)
        }
        place(slot, earliest: earliest, latest: latest)
        return TimerToken(slot: slot, generation: slots[slot].generation)
    }

    /// Removes a pending timer; false (and nothing done) if it already fired or was cancelled.
    @discardableResult
    public mutating func cancel(_ token: TimerToken) -> Bool {
        guard isPending(token) else { return false }
        release(token.slot)
        return true
    }

    /// Moves a pending timer to a new window, behind any timer already at the same instant.
    @discardableResult
    public mutating func reschedule(_ token: TimerToken, earliest: Instant, latest: Instant? = nil) -> Bool {
        guard isPending(token) else { return false }
        byEarliest.remove(at: Int(slots[token.slot].positionByEarliest), &slots)
        byLatest.remove(at: Int(slots[token.slot].positionByLatest), &slots)
        place(token.slot, earliest: earliest, latest: latest)
        return true
    }

    public func isPending(_ token: TimerToken) -> Bool {
        token.slot < slots.count && slots[token.slot].generation == token.generation
            && slots[token.slot].positionByEarliest >= 0
    }

    /// Removes and returns the first timer in (earliest, sequence) order if its `earliest` is at or
    /// before `now`.
    public mutating func popDue(at now: Instant) -> Timer? {
        guard let first = byEarliest.items.first, slots[Int(first)].earliest <= now else { return nil }
        let timer = timers[Int(first)]
        release(Int(first))
        return timer
    }

    private mutating func place(_ slot: Int, earliest: Instant, latest: Instant?) {
        slots[slot].earliest = earliest
        slots[slot].latest = max(latest ?? earliest, earliest)
        slots[slot].sequence = nextSequence
        nextSequence += 1
        byEarliest.insert(UInt32(slot), &slots)
        byLatest.insert(UInt32(slot), &slots)
    }

    private mutating func release(_ slot: Int) {
        byEarliest.remove(at: Int(slots[slot].positionByEarliest), &slots)
        byLatest.remove(at: Int(slots[slot].positionByLatest), &slots)
        slots[slot].generation &+= 1
        if slots[slot].generation == 0 { slots[slot].generation = 1 }
        timers[slot] = nil
        freeSlots.append(slot)
    }
}

/// A binary min-heap of slot numbers that records each slot's position in the slot table.
private struct SlotHeap {
    var items: [UInt32] = []
    let byLatest: Bool

    init(byLatest: Bool) { self.byLatest = byLatest }

    mutating func insert(_ slot: UInt32, _ slots: inout [TimerQueue.Slot]) {
        items.append(slot)
        siftUp(items.count - 1, &slots)
    }

    mutating func remove(at i: Int, _ slots: inout [TimerQueue.Slot]) {
        let removed = items[i], last = items.removeLast()
        setPosition(removed, -1, &slots)
        guard i < items.count else { return }
        items[i] = last
        setPosition(last, i, &slots)
        siftDown(i, &slots)
        siftUp(Int(position(last, slots)), &slots)
    }

    private func less(_ a: UInt32, _ b: UInt32, _ slots: [TimerQueue.Slot]) -> Bool {
        let x = slots[Int(a)], y = slots[Int(b)]
        let kx = byLatest ? x.latest : x.earliest, ky = byLatest ? y.latest : y.earliest
        return kx != ky ? kx < ky : x.sequence < y.sequence
    }

    private func position(_ slot: UInt32, _ slots: [TimerQueue.Slot]) -> Int32 {
        byLatest ? slots[Int(slot)].positionByLatest : slots[Int(slot)].positionByEarliest
    }

    private func setPosition(_ slot: UInt32, _ i: Int, _ slots: inout [TimerQueue.Slot]) {
        if byLatest { slots[Int(slot)].positionByLatest = Int32(i) } else { slots[Int(slot)].positionByEarliest = Int32(i) }
    }

    private mutating func siftUp(_ start: Int, _ slots: inout [TimerQueue.Slot]) {
        var i = start
        let moving = items[i]
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(moving, items[parent], slots) else { break }
            items[i] = items[parent]
            setPosition(items[i], i, &slots)
            i = parent
        }
        items[i] = moving
        setPosition(moving, i, &slots)
    }

    private mutating func siftDown(_ start: Int, _ slots: inout [TimerQueue.Slot]) {
        var i = start
        let moving = items[i]
        while true {
            var child = 2 * i + 1
            if child >= items.count { break }
            if child + 1 < items.count && less(items[child + 1], items[child], slots) { child += 1 }
            guard less(items[child], moving, slots) else { break }
            items[i] = items[child]
            setPosition(items[i], i, &slots)
            i = child
        }
        items[i] = moving
        setPosition(moving, i, &slots)
    }
}
