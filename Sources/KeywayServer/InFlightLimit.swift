import Synchronization

/// Counts requests being worked on, up to a limit; past it, ``enter()`` answers false and the request is refused
/// with AWS's throttling answer instead of waiting in an unbounded queue.
final class InFlightLimit: Sendable {
    let limit: Int
    private let count = Atomic<Int>(0)
    private let started = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes a place; false (and nothing taken) when all are taken.
    func enter() -> Bool {
        self.started.wrappingAdd(1, ordering: .relaxed)
        let now = self.count.wrappingAdd(1, ordering: .relaxed).newValue
        guard now <= self.limit else {
            self.count.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    /// Gives a place back; call once for each ``enter()`` that answered true.
    func leave() {
        self.count.wrappingSubtract(1, ordering: .relaxed)
    }

    /// Requests seen since start, admitted or not; tells activity from quiet.
    var total: Int { self.started.load(ordering: .relaxed) }

    /// The places taken now.
    var current: Int { self.count.load(ordering: .relaxed) }
}
