import KeywayCore
import Synchronization

/// The key pairs of recently read scopes, held in memory so DescribeKeyPairs does not read the database each time.
///
/// A scope is cached whole, bounded by a total number of key pairs (least recently used scopes leave first). Every
/// write to a scope drops its entry after the write commits; a load that raced with a write cannot store what it
/// read, because each write bumps the scope's generation and a load stores only if the generation did not move.
final class ScopeCache: Sendable {
    private struct State {
        var scopes: [Scope: (pairs: [KeyPair], byName: [String: Int], lastUse: UInt64)] = [:]
        var generations: [Scope: UInt64] = [:]
        /// Bumped by ``invalidateAll()``, so a load that began before it cannot store afterwards.
        var epoch: UInt64 = 0
        /// Scopes too large to cache; their reads go to the database.
        var tooLarge: Set<Scope> = []
        var total = 0
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())
    /// The most key pairs held, across scopes.
    let capacity: Int

    init(capacity: Int = 20_000) {
        self.capacity = capacity
    }

    /// The cached key pairs of a scope, ordered by name, or nil.
    func pairs(in scope: Scope) -> (pairs: [KeyPair], byName: [String: Int])? {
        self.state.withLock { state in
            guard let entry = state.scopes[scope] else { return nil }
            state.clock &+= 1
            state.scopes[scope]?.lastUse = state.clock
            return (entry.pairs, entry.byName)
        }
    }

    /// Whether a scope was found too large to cache.
    func isTooLarge(_ scope: Scope) -> Bool {
        self.state.withLock { $0.tooLarge.contains(scope) }
    }

    /// The generation to pass to ``store(_:in:generation:)`` for a load that starts now.
    func generation(of scope: Scope) -> (UInt64, UInt64) {
        self.state.withLock { ($0.epoch, $0.generations[scope, default: 0]) }
    }

    /// Stores a scope's key pairs as loaded; more than ``capacity`` marks the scope as too large instead.
    func store(_ pairs: [KeyPair], in scope: Scope, generation: (UInt64, UInt64)) {
        self.state.withLock { state in
            guard state.epoch == generation.0, state.generations[scope, default: 0] == generation.1 else { return }
            guard pairs.count <= self.capacity else {
                state.tooLarge.insert(scope)
                return
            }
            if let old = state.scopes[scope] { state.total -= old.pairs.count }
            while state.total + pairs.count > self.capacity,
                let oldest = state.scopes.min(by: { $0.value.lastUse < $1.value.lastUse })
            {
                state.total -= oldest.value.pairs.count
                state.scopes[oldest.key] = nil
            }
            state.clock &+= 1
            var byName: [String: Int] = [:]
            byName.reserveCapacity(pairs.count)
            for (index, pair) in pairs.enumerated() { byName[pair.name] = index }
            state.scopes[scope] = (pairs, byName, state.clock)
            state.total += pairs.count
        }
    }

    /// Forgets a scope after a write to it.
    func invalidate(_ scope: Scope) {
        self.state.withLock { state in
            state.generations[scope, default: 0] &+= 1
            if let old = state.scopes.removeValue(forKey: scope) { state.total -= old.pairs.count }
        }
    }

    func invalidateAll() {
        self.state.withLock { state in
            state.epoch &+= 1
            state.scopes.removeAll()
            state.tooLarge.removeAll()
            state.total = 0
        }
    }
}
