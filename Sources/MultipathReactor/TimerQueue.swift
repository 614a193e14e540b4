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

    /// Where a timer's entries sit in the two heaps; -1 while the slot is free.
    fileprivate struct Slot {
        var generation: UInt32 = 1
        var positionByEarliest: Int32 = -1
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
    public var nextEarliest: Instant? { byEarliest.items.first?.key }

    /// When the loop must be awake: the smallest `latest` of all pending timers.
    public var nextLatest: Instant? { byLatest.items.first?.key }

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
        guard let first = byEarliest.items.first, first.key <= now else { return nil }
        let timer = timers[Int(first.slot)]
        release(Int(first.slot))
        return timer
    }

    private mutating func place(_ slot: Int, earliest: Instant, latest: Instant?) {
        let sequence = nextSequence
        nextSequence += 1
        byEarliest.insert(SlotHeap.Item(key: earliest, sequence: sequence, slot: UInt32(slot)), &slots)
        byLatest.insert(SlotHeap.Item(key: max(latest ?? earliest, earliest), sequence: sequence, slot: UInt32(slot)), &slots)
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

/// A binary min-heap of (instant, sequence) keys, each naming a slot, which it tells where the key sits.
/// Keys live in the heap, not the slot table, so comparisons touch no other memory.
private struct SlotHeap {
    struct Item {
        var key: Instant
        var sequence: UInt64
        var slot: UInt32
    }

    var items: [Item] = []
    let byLatest: Bool

    init(byLatest: Bool) { self.byLatest = byLatest }

    mutating func insert(_ item: Item, _ slots: inout [TimerQueue.Slot]) {
        items.append(item)
        siftUp(items.count - 1, &slots)
    }

    mutating func remove(at i: Int, _ slots: inout [TimerQueue.Slot]) {
        let removed = items[i], last = items.removeLast()
        setPosition(removed.slot, -1, &slots)
        guard i < items.count else { return }
        items[i] = last
        if i > 0 && Self.less(last, items[(i - 1) / 2]) { siftUp(i, &slots) } else { siftDown(i, &slots) }
    }

    private static func less(_ a: Item, _ b: Item) -> Bool {
        a.key != b.key ? a.key < b.key : a.sequence < b.sequence
    }

    private func setPosition(_ slot: UInt32, _ i: Int, _ slots: inout [TimerQueue.Slot]) {
        if byLatest { slots[Int(slot)].positionByLatest = Int32(i) } else { slots[Int(slot)].positionByEarliest = Int32(i) }
    }

    private mutating func siftUp(_ start: Int, _ slots: inout [TimerQueue.Slot]) {
        var i = start
        let moving = items[i]
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.less(moving, items[parent]) else { break }
            items[i] = items[parent]
            setPosition(items[i].slot, i, &slots)
            i = parent
        }
        items[i] = moving
        setPosition(moving.slot, i, &slots)
    }

    private mutating func siftDown(_ start: Int, _ slots: inout [TimerQueue.Slot]) {
        var i = start
        let moving = items[i]
        while true {
            var child = 2 * i + 1
            if child >= items.count { break }
            if child + 1 < items.count && Self.less(items[child + 1], items[child]) { child += 1 }
            guard Self.less(items[child], moving) else { break }
            items[i] = items[child]
            setPosition(items[i].slot, i, &slots)
            i = child
        }
        items[i] = moving
        setPosition(moving.slot, i, &slots)
    }
}
