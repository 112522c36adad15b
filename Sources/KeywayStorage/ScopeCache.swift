import KeywayCore
import Synchronization

/// The key pairs of recently read scopes, held in memory so DescribeKeyPairs does not read the database each time.
///
/// A scope is cached whole, bounded by a total number of key pairs (least recently used scopes leave first). Writes
/// go through: each committed write changes the cached scope in the writer's commit order (``apply(_:to:)``, called
/// from the transaction's commit hook), so creating a key pair does not cost the next read a reload.
///
/// A load reads the scope beside the writer, so writes may commit while it runs, and its snapshot may or may not
/// hold them. Every change is the whole new state of one name (a key pair, or none), so the cache logs the changes
/// committed while a load is in flight and replays them onto what the load read: a change the snapshot already holds
/// is set again to the same value, and the last change of each name wins, as it did in the database.
final class ScopeCache: Sendable {
    /// One cached scope: its key pairs by name, and the same sorted by name, made when first asked for after a change.
    private struct Entry {
        var byName: [String: KeyPair]
        var sorted: [KeyPair]?
        var lastUse: UInt64
    }

    typealias Change = @Sendable (inout [String: KeyPair]) -> Void

    /// The load of a scope in flight (at most one a scope): the changes committed since it began.
    private struct Load {
        let epoch: UInt64
        var changes: [Change] = []
        /// Set when the scope's state became unknown during the load (``invalidate(_:)``): it must not store.
        var spoiled = false
    }

    private struct State {
        var scopes: [Scope: Entry] = [:]
        var loads: [Scope: Load] = [:]
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

    /// Whether a load of the scope is in flight.
    func isLoading(_ scope: Scope) -> Bool {
        self.state.withLock { $0.loads[scope] != nil }
    }

    /// Claims the load of a scope that starts reading now; false when the scope is too large to cache or another
    /// load of it is in flight. A claimed load must end with ``store(_:in:)`` or ``abandon(_:)``.
    func beginLoad(of scope: Scope) -> Bool {
        self.state.withLock { state in
            guard !state.tooLarge.contains(scope), state.loads[scope] == nil else { return false }
            state.loads[scope] = Load(epoch: state.epoch)
            return true
        }
    }

    /// Stores a scope's key pairs (ordered by name) as its load read them, with the changes committed since it
    /// began; more than ``capacity`` marks the scope too large instead.
    func store(_ pairs: [KeyPair], in scope: Scope) {
        self.state.withLock { state in
            guard let load = state.loads.removeValue(forKey: scope), state.epoch == load.epoch, !load.spoiled else {
                return
            }
            var byName: [String: KeyPair] = [:]
            byName.reserveCapacity(pairs.count)
            for pair in pairs { byName[pair.name] = pair }
            for change in load.changes { change(&byName) }
            guard byName.count <= self.capacity else {
                state.tooLarge.insert(scope)
                return
            }
            if let old = state.scopes.removeValue(forKey: scope) { state.total -= old.byName.count }
            Self.evict(&state, toFit: byName.count, capacity: self.capacity)
            state.clock &+= 1
            state.scopes[scope] = Entry(
                byName: byName,
                sorted: load.changes.isEmpty ? pairs : nil,
                lastUse: state.clock
            )
            state.total += byName.count
        }
    }

    /// Ends a load that failed.
    func abandon(_ scope: Scope) {
        self.state.withLock { state in _ = state.loads.removeValue(forKey: scope) }
    }

    /// Applies a committed write to a scope: changes the cached key pairs (by name) if the scope is cached, and stops
    /// any load in flight from storing what it read before the write. Call it in commit order.
    func apply(_ scope: Scope, to change: @escaping Change) {
        self.state.withLock { state in
            state.loads[scope]?.changes.append(change)
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

    /// Forgets a scope (after a write whose effect on the cache is not known); loads in flight will not store.
    func invalidate(_ scope: Scope) {
        self.state.withLock { state in
            state.loads[scope]?.spoiled = true
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
        while state.total + count > capacity, let oldest = state.scopes.min(by: { $0.value.lastUse < $1.value.lastUse })
        {
            state.total -= oldest.value.byName.count
            state.scopes[oldest.key] = nil
        }
    }
}
