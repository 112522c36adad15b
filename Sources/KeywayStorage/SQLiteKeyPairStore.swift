import Foundation
import GRDB
import KeyFormats
import KeywayCore

/// The ``KeyPairStore`` on the embedded SQLite database.
///
/// Name uniqueness per account and region is a UNIQUE constraint, so concurrent creates of one name give one
/// success and one duplicate; limits are checked in the same serialized write transaction as the insert.
public struct SQLiteKeyPairStore: KeyPairStore {
    private let database: SQLiteDatabase
    /// Inserts, the hot write path, share transactions (group commit).
    private let committer: GroupCommitter
    /// Whole scopes recently read, so reads need not touch the database.
    private let cache: ScopeCache

    public init(database: SQLiteDatabase, cacheCapacity: Int = 20_000) {
        self.database = database
        self.committer = GroupCommitter(pool: database.pool)
        self.cache = ScopeCache(capacity: cacheCapacity)
    }

    /// Reads a scope whose load this caller claimed (``ScopeCache/beginLoad(of:)``) into the cache.
    private func load(_ scope: Scope) async throws {
        let capacity = self.cache.capacity
        do {
            let pairs = try await self.database.pool.read { db in
                try Self.fetch(db, scope: scope, where: "", arguments: [], limit: capacity + 1)
            }
            self.cache.store(pairs, in: scope)
        } catch {
            self.cache.abandon(scope)
            throw error
        }
    }

    /// The scope's key pairs by name from the cache, or nil when it is not cached. A miss starts loading the scope in
    /// the background, so lookups of a few names answer from the database meanwhile instead of waiting for all of it.
    private func cachedPairsByName(in scope: Scope) -> [String: KeyPair]? {
        if let hit = self.cache.pairsByName(in: scope) { return hit }
        if self.cache.beginLoad(of: scope) {
            Task { try? await self.load(scope) }
        }
        return nil
    }

    /// The scope's key pairs ordered by name from the cache, loading the scope when it is not there; nil for scopes
    /// too large to cache or already being loaded by another read.
    private func cachedSortedPairs(in scope: Scope) async throws -> [KeyPair]? {
        if let hit = self.cache.sortedPairs(in: scope) { return hit }
        if self.cache.beginLoad(of: scope) { try await self.load(scope) }
        return self.cache.sortedPairs(in: scope)
    }

    /// Makes the cache follow a write once its transaction commits, in commit order; forgets the scope if it rolls back.
    private func onCommit(_ db: Database, scope: Scope, _ change: @escaping @Sendable (inout [String: KeyPair]) -> Void)
    {
        let cache = self.cache
        db.afterNextTransaction { _ in
            cache.apply(scope, to: change)
        } onRollback: { _ in
            cache.invalidate(scope)
        }
    }

    public func insert(_ keyPair: KeyPair, limit: Int) async throws {
        try await self.committer.write { db in
            // The name first, as the in-memory store and CreateKeyPair do: a taken name is a duplicate even at the limit.
            let taken =
                try Bool.fetchOne(
                    db.cachedStatement(sql: "SELECT 1 FROM key_pairs WHERE account = ? AND region = ? AND name = ?"),
                    arguments: [keyPair.scope.account.rawValue, keyPair.scope.region.rawValue, keyPair.name]
                ) ?? false
            guard !taken else { throw KeywayError(.keyPairDuplicate, subject: keyPair.name) }
            let count =
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT count FROM key_pair_counts WHERE account = ? AND region = ?"),
                    arguments: [keyPair.scope.account.rawValue, keyPair.scope.region.rawValue]
                ) ?? 0
            guard count < limit else { throw KeywayError(.keyPairLimitExceeded, subject: String(limit)) }
            do {
                try db.cachedStatement(
                    sql: """
                        INSERT INTO key_pairs (id, account, region, name, key_type, fingerprint, public_key, created_ms)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """
                ).execute(
                    arguments: [
                        keyPair.id.rawValue, keyPair.scope.account.rawValue, keyPair.scope.region.rawValue,
                        keyPair.name, keyPair.keyType.rawValue, keyPair.fingerprint, keyPair.publicKey,
                        keyPair.createTime.storedMilliseconds,
                    ]
                )
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw KeywayError(.keyPairDuplicate, subject: keyPair.name)
            }
            try Self.writeTags(keyPair.tags, on: keyPair.id, in: keyPair.scope, db: db)
            self.onCommit(db, scope: keyPair.scope) { $0[keyPair.name] = keyPair }
        }
    }

    public func removeAll() async throws {
        defer { self.cache.invalidateAll() }
        try await self.database.pool.write { db in
            try db.execute(sql: "DELETE FROM tags; DELETE FROM key_pairs")
        }
    }

    public func keyPairs(in scope: Scope) async throws -> [KeyPair] {
        if let cached = try await self.cachedSortedPairs(in: scope) { return cached }
        return try await self.database.pool.read { db in
            try Self.fetch(db, scope: scope, where: "", arguments: [])
        }
    }

    public func keyPairs(in scope: Scope, names: [String]) async throws -> [KeyPair] {
        guard !names.isEmpty else { return [] }
        if let cached = self.cachedPairsByName(in: scope) {
            return Set(names).compactMap { cached[$0] }.sorted { $0.name < $1.name }
        }
        return try await self.database.pool.read { db in
            try Self.fetch(
                db,
                scope: scope,
                where: "AND name IN (SELECT value FROM json_each(?))",
                arguments: [Self.jsonArray(names)]
            )
        }
    }

    public func keyPairs(in scope: Scope, ids: [KeyPairID]) async throws -> [KeyPair] {
        guard !ids.isEmpty else { return [] }
        if let cached = self.cachedPairsByName(in: scope) {
            let wanted = Set(ids)
            return cached.values.filter { wanted.contains($0.id) }.sorted { $0.name < $1.name }
        }
        return try await self.database.pool.read { db in
            try Self.fetch(
                db,
                scope: scope,
                where: "AND id IN (SELECT value FROM json_each(?))",
                arguments: [Self.jsonArray(ids.map(\.rawValue))]
            )
        }
    }

    public func deleteKeyPair(in scope: Scope, name: String) async throws -> KeyPair? {
        try await self.deleteKeyPair(in: scope, where: "AND name = ?", arguments: [name])
    }

    public func deleteKeyPair(in scope: Scope, id: KeyPairID) async throws -> KeyPair? {
        try await self.deleteKeyPair(in: scope, where: "AND id = ?", arguments: [id.rawValue])
    }

    /// Deletes the key pair matching a condition, with its tags; returns it, or nil when there was none.
    private func deleteKeyPair(
        in scope: Scope,
        where condition: String,
        arguments: StatementArguments
    ) async throws -> KeyPair? {
        try await self.database.pool.write { db in
            guard let pair = try Self.fetch(db, scope: scope, where: condition, arguments: arguments).first else {
                return nil
            }
            try db.execute(sql: "DELETE FROM tags WHERE resource_id = ?", arguments: [pair.id.rawValue])
            try db.execute(sql: "DELETE FROM key_pairs WHERE id = ?", arguments: [pair.id.rawValue])
            self.onCommit(db, scope: scope) { $0[pair.name] = nil }
            return pair
        }
    }

    public func createTags(in scope: Scope, on ids: [KeyPairID], tags: [Tag], limit: Int) async throws {
        try await self.rewriteTags(in: scope, on: ids, limit: limit) { $0.merge(tags) }
    }

    public func deleteTags(in scope: Scope, on ids: [KeyPairID], deletions: [TagDeletion]?) async throws {
        try await self.rewriteTags(in: scope, on: ids, limit: .max) { tags in
            tags.removeAll { tag in deletions.map { $0.contains { $0.removes(tag) } } ?? true }
        }
    }

    /// Changes the tags of several key pairs in one transaction: every ID must exist in the scope, and no key pair
    /// may end with more than `limit` tags, or nothing changes.
    private func rewriteTags(
        in scope: Scope,
        on ids: [KeyPairID],
        limit: Int,
        _ change: @escaping @Sendable (inout [Tag]) -> Void
    ) async throws {
        try await self.database.pool.write { db in
            let pairs = try Self.fetch(
                db,
                scope: scope,
                where: "AND id IN (SELECT value FROM json_each(?))",
                arguments: [Self.jsonArray(ids.map(\.rawValue))]
            )
            let byID = Dictionary(pairs.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            for id in ids {
                guard var pair = byID[id] else {
                    throw KeywayError(.keyPairIDNotFound, subject: id.rawValue)
                }
                change(&pair.tags)
                guard pair.tags.count <= limit else { throw KeywayError(.tagLimitExceeded, subject: id.rawValue) }
                try db.execute(sql: "DELETE FROM tags WHERE resource_id = ?", arguments: [id.rawValue])
                try Self.writeTags(pair.tags, on: id, in: scope, db: db)
                self.onCommit(db, scope: scope) { [pair] in $0[pair.name] = pair }
            }
        }
    }

    /// A list as one JSON array argument, read in SQL with `json_each(?)`: one bound variable however long the
    /// list, so no list can pass SQLite's limit on variables per statement (32,766), whatever `--key-pair-limit` is.
    private static func jsonArray(_ values: [String]) -> String {
        (try? String(decoding: JSONEncoder().encode(values), as: UTF8.self)) ?? "[]"
    }

    private static func writeTags(_ tags: [Tag], on id: KeyPairID, in scope: Scope, db: Database) throws {
        for (position, tag) in tags.enumerated() {
            try db.execute(
                sql: "INSERT INTO tags (resource_id, account, region, key, value, position) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [id.rawValue, scope.account.rawValue, scope.region.rawValue, tag.key, tag.value, position]
            )
        }
    }

    /// Key pairs of the scope matching an extra condition, with their tags, ordered by name.
    private static func fetch(
        _ db: Database,
        scope: Scope,
        where condition: String,
        arguments: StatementArguments,
        limit: Int? = nil
    ) throws -> [KeyPair] {
        var allArguments: StatementArguments = [scope.account.rawValue, scope.region.rawValue]
        allArguments += arguments
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT id, name, key_type, fingerprint, public_key, created_ms FROM key_pairs
                WHERE account = ? AND region = ? \(condition) ORDER BY name\(limit.map { " LIMIT \($0)" } ?? "")
                """,
            arguments: allArguments
        )
        guard !rows.isEmpty else { return [] }
        var tagsByResource: [String: [Tag]] = [:]
        let tagRows = try Row.fetchAll(
            db,
            sql: """
                SELECT resource_id, key, value FROM tags
                WHERE account = ? AND region = ? AND resource_id IN (SELECT value FROM json_each(?))
                ORDER BY resource_id, position
                """,
            arguments: [scope.account.rawValue, scope.region.rawValue, Self.jsonArray(rows.map { $0["id"] as String })]
        )
        for row in tagRows {
            tagsByResource[row["resource_id"], default: []].append(Tag(key: row["key"], value: row["value"]))
        }
        return try rows.map { row in
            let idText: String = row["id"]
            let typeText: String = row["key_type"]
            guard let id = KeyPairID(rawValue: idText), let type = KeyType(rawValue: typeText) else {
                throw KeywayStorageError(.corruptRow, reason: "key_pairs row \(idText) has an invalid id or key type")
            }
            let createdMilliseconds: Int64 = row["created_ms"]
            return KeyPair(
                id: id,
                scope: scope,
                name: row["name"],
                keyType: type,
                fingerprint: row["fingerprint"],
                publicKey: row["public_key"],
                createTime: Date(timeIntervalSince1970: Double(createdMilliseconds) / 1000),
                tags: tagsByResource[idText] ?? []
            )
        }
    }
}
