import KeywayCore
import Synchronization

/// The key pairs of recently read scopes, held in memory so DescribeKeyPairs does not read the database each time.
///
/// A scope is cached whole, bounded by a total number of key pairs (least recently used scopes leave first). Writes
/// go through: each committed write changes the cached scope in the writer's commit order (``apply(_:to:)``, called
/// from the transaction's commit hook), so creating a key pair does not cost the next read a reload. A load that
/// raced with a write cannot store what it read, because each write bumps the scope's generation and a load stores
/// only if the generation did not move.
final class ScopeCache: Sendable {
    /// One cached scope: its key pairs by name, and the same sorted by name, made when first asked for after a change.
    private struct Entry {
        var byName: [String: KeyPair]
        var sorted: [KeyPair]?
        var lastUse: UInt64
    }

    private struct State {
        var scopes: [Scope: Entry] = [:]
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

    /// The cached key pairs of a scope by name, or nil when the scope is not cached.
    func pairsByName(in scope: Scope) -> [String: KeyPair]? {
        self.state.withLock { state in
            guard state.scopes[scope] != nil else { return nil }
            state.clock &+= 1
            state.scopes[scope]!.lastUse = state.clock
            return state.scopes[scope]!.byName
        }
    }

    /// The cached key pairs of a scope ordered by name, or nil when the scope is not cached.
    func sortedPairs(in scope: Scope) -> [KeyPair]? {
        self.state.withLock { state in
            guard state.scopes[scope] != nil else { return nil }
            state.clock &+= 1
            state.scopes[scope]!.lastUse = state.clock
            if let sorted = state.scopes[scope]!.sorted { return sorted }
            let sorted = state.scopes[scope]!.byName.values.sorted { $0.name < $1.name }
            state.scopes[scope]!.sorted = sorted
            return sorted
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

    /// Stores a scope's key pairs (ordered by name) as loaded; more than ``capacity`` marks the scope too large instead.
    func store(_ pairs: [KeyPair], in scope: Scope, generation: (UInt64, UInt64)) {
        self.state.withLock { state in
            guard state.epoch == generation.0, state.generations[scope, default: 0] == generation.1 else { return }
            guard pairs.count <= self.capacity else {
                state.tooLarge.insert(scope)
                return
            }
            if let old = state.scopes.removeValue(forKey: scope) { state.total -= old.byName.count }
            Self.evict(&state, toFit: pairs.count, capacity: self.capacity)
            state.clock &+= 1
            var byName: [String: KeyPair] = [:]
            byName.reserveCapacity(pairs.count)
            for pair in pairs { byName[pair.name] = pair }
            state.scopes[scope] = Entry(byName: byName, sorted: pairs, lastUse: state.clock)
            state.total += pairs.count
        }
    }

    /// Applies a committed write to a scope: changes the cached key pairs (by name) if the scope is cached, and stops
    /// any load in flight from storing what it read before the write. Call it in commit order.
    func apply(_ scope: Scope, to change: (inout [String: KeyPair]) -> Void) {
        self.state.withLock { state in
            state.generations[scope, default: 0] &+= 1
            guard state.scopes[scope] != nil else { return }
            let before = state.scopes[scope]!.byName.count
            change(&state.scopes[scope]!.byName)
            state.scopes[scope]!.sorted = nil
            let after = state.scopes[scope]!.byName.count
            state.total += after - before
            if after > self.capacity {
                state.scopes[scope] = nil
                state.total -= after
                state.tooLarge.insert(scope)
            } else if state.total > self.capacity {
                let kept = state.scopes.removeValue(forKey: scope)!
                state.total -= after
                Self.evict(&state, toFit: after, capacity: self.capacity)
                state.scopes[scope] = kept
                state.total += after
            }
        }
    }

    /// Forgets a scope (after a write whose effect on the cache is not known).
    func invalidate(_ scope: Scope) {
        self.state.withLock { state in
            state.generations[scope, default: 0] &+= 1
            if let old = state.scopes.removeValue(forKey: scope) { state.total -= old.byName.count }
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

    /// Drops least recently used scopes until `count` more key pairs fit.
    private static func evict(_ state: inout State, toFit count: Int, capacity: Int) {
        while state.total + count > capacity, let oldest = state.scopes.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            state.total -= oldest.value.byName.count
            state.scopes[oldest.key] = nil
        }
    }
}
