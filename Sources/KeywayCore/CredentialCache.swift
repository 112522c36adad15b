import Synchronization

/// Active credentials by access key ID, kept in memory so authentication does not read the store per request.
///
/// Only keys found active are cached. Every change of a key's status and every deletion of a key or a user
/// removes the affected entries, so a deactivated key stops working at once. A lookup that raced with such a
/// change cannot put the old state back: entries are stored only if no removal happened since the lookup began.
final class CredentialCache: Sendable {
    private struct State {
        var entries: [AccessKeyID: (principal: Principal, secret: SecretAccessKey)] = [:]
        var generation: UInt64 = 0
        /// IDs known not to be issued (`--dev` mode's dummy keys), so they cost no database read per request.
        var notIssued: Set<AccessKeyID> = []
    }

    private let state = Mutex(State())

    func get(_ id: AccessKeyID) -> (principal: Principal, secret: SecretAccessKey)? {
        self.state.withLock { $0.entries[id] }
    }

    /// The generation to pass to ``set(_:_:ifGeneration:)`` for a lookup that starts now.
    var generation: UInt64 { self.state.withLock { $0.generation } }

    func set(
        _ id: AccessKeyID,
        _ value: (principal: Principal, secret: SecretAccessKey),
        ifGeneration generation: UInt64
    ) {
        self.state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= 100_000 { state.entries.removeAll() }
            state.entries[id] = value
        }
    }

    func remove(_ id: AccessKeyID) {
        self.state.withLock { state in
            state.generation &+= 1
            state.entries[id] = nil
        }
    }

    func removeAll(account: AccountID, userName: String) {
        self.state.withLock { state in
            state.generation &+= 1
            state.entries = state.entries.filter { entry in
                !(entry.value.principal.account == account
                    && entry.value.principal.user?.name.lowercased() == userName.lowercased())
            }
        }
    }

    func isKnownNotIssued(_ id: AccessKeyID) -> Bool {
        self.state.withLock { $0.notIssued.contains(id) }
    }

    func markNotIssued(_ id: AccessKeyID, ifGeneration generation: UInt64) {
        self.state.withLock { state in
            guard state.generation == generation else { return }
            if state.notIssued.count >= 10_000 { state.notIssued.removeAll() }
            state.notIssued.insert(id)
        }
    }

    /// A key was issued: no ID may stay marked as not issued.
    func keyIssued() {
        self.state.withLock { state in
            state.generation &+= 1
            state.notIssued.removeAll()
        }
    }

    func removeAll() {
        self.state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll()
        }
    }
}
