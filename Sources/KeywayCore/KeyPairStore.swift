/// Persistence of key pairs and their tags; implemented by an in-memory actor and by SQLite (and later PostgreSQL).
///
/// Every method works inside one ``Scope``. Implementations enforce uniqueness of names per scope and the limits
/// atomically, so concurrent callers cannot get past them, and an acknowledged write is durable.
public protocol KeyPairStore: Sendable {
    /// Stores a new key pair with its tags.
    ///
    /// Throws ``KeywayError/Code/keyPairDuplicate`` when the name is taken in the scope and
    /// ``KeywayError/Code/keyPairLimitExceeded`` when the scope already holds `limit` key pairs.
    func insert(_ keyPair: KeyPair, limit: Int) async throws

    /// Every key pair in the scope, ordered by name.
    func keyPairs(in scope: Scope) async throws -> [KeyPair]

    /// The key pairs in the scope with these names; absent names are left out.
    func keyPairs(in scope: Scope, names: [String]) async throws -> [KeyPair]

    /// The key pairs in the scope with these IDs; absent IDs are left out.
    func keyPairs(in scope: Scope, ids: [KeyPairID]) async throws -> [KeyPair]

    /// Deletes the key pair and its tags; returns what was deleted, or nil when there was none.
    func deleteKeyPair(in scope: Scope, name: String) async throws -> KeyPair?

    /// Deletes the key pair and its tags by ID; returns what was deleted, or nil when there was none.
    func deleteKeyPair(in scope: Scope, id: KeyPairID) async throws -> KeyPair?

    /// Adds or overwrites tags on key pairs, all or nothing.
    ///
    /// Throws ``KeywayError/Code/keyPairIDNotFound`` for an ID not in the scope and
    /// ``KeywayError/Code/tagLimitExceeded`` when a key pair would pass `limit` tags.
    func createTags(in scope: Scope, on ids: [KeyPairID], tags: [Tag], limit: Int) async throws

    /// Removes tags from key pairs, all or nothing; `deletions` nil removes every tag.
    ///
    /// Throws ``KeywayError/Code/keyPairIDNotFound`` for an ID not in the scope.
    func deleteTags(in scope: Scope, on ids: [KeyPairID], deletions: [TagDeletion]?) async throws

    /// Deletes everything (`--dev` mode's reset).
    func removeAll() async throws
}
