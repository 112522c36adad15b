import Foundation
import KeywayCore
import Testing

@testable import KeywayStorage

/// The SQLite store's read cache follows writes instead of being dropped by them; these check that what it answers
/// is always what the database holds.
@Suite struct SQLiteKeyPairStoreCacheTests {
    static let scope = KeyPairStoreContractTests.scope

    /// Reads warm the cache; every kind of write then shows in the next read, and a fresh store (empty cache) over the
    /// same database agrees.
    @Test func writesShowInCachedReads() async throws {
        let database = try SQLiteDatabase(directory: temporaryDirectory())
        let store = SQLiteKeyPairStore(database: database)
        let a = KeyPairStoreContractTests.keyPair("a")
        try await store.insert(a, limit: 10)
        #expect(try await store.keyPairs(in: Self.scope).map(\.name) == ["a"])
        let c = KeyPairStoreContractTests.keyPair("c")
        let b = KeyPairStoreContractTests.keyPair("b")
        try await store.insert(c, limit: 10)
        try await store.insert(b, limit: 10)
        #expect(try await store.keyPairs(in: Self.scope).map(\.name) == ["a", "b", "c"])
        #expect(try await store.keyPairs(in: Self.scope, names: ["c", "b"]).map(\.name) == ["b", "c"])
        try await store.createTags(in: Self.scope, on: [b.id], tags: [Tag(key: "k", value: "v")], limit: 10)
        #expect(try await store.keyPairs(in: Self.scope, names: ["b"])[0].tags == [Tag(key: "k", value: "v")])
        _ = try await store.deleteKeyPair(in: Self.scope, name: "a")
        _ = try await store.deleteKeyPair(in: Self.scope, id: c.id)
        #expect(try await store.keyPairs(in: Self.scope).map(\.name) == ["b"])
        #expect(try await store.keyPairs(in: Self.scope, ids: [a.id, c.id]).isEmpty)
        // A refused insert (duplicate) changes nothing, in the cache either.
        await #expect(throws: KeywayError(.keyPairDuplicate, subject: "b")) {
            try await store.insert(KeyPairStoreContractTests.keyPair("b"), limit: 10)
        }
        let cached = try await store.keyPairs(in: Self.scope)
        #expect(cached == [try await store.keyPairs(in: Self.scope, ids: [b.id])[0]])
        #expect(try await SQLiteKeyPairStore(database: database).keyPairs(in: Self.scope) == cached)
    }

    /// Concurrent creates, deletes and reads of the same names: afterwards the cache holds exactly the database's rows.
    @Test func concurrentWritesAndReadsLeaveTheCacheEqualToTheDatabase() async throws {
        let database = try SQLiteDatabase(directory: temporaryDirectory())
        let store = SQLiteKeyPairStore(database: database)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for round in 0..<40 {
                        let name = "k\((worker + round) % 12)"
                        if round % 3 == 2 {
                            _ = try await store.deleteKeyPair(in: Self.scope, name: name)
                        } else {
                            do {
                                try await store.insert(KeyPairStoreContractTests.keyPair(name), limit: 1_000)
                            } catch let error as KeywayError where error.code == .keyPairDuplicate {}
                        }
                        _ = try await store.keyPairs(in: Self.scope, names: [name])
                    }
                }
            }
            try await group.waitForAll()
        }
        let fresh = try await SQLiteKeyPairStore(database: database).keyPairs(in: Self.scope)
        #expect(try await store.keyPairs(in: Self.scope) == fresh)
        #expect(!fresh.isEmpty)
    }

    /// A load whose snapshot missed some writes committed while it ran (or already held them) stores the database's
    /// state: the changes logged during the load are replayed onto what it read.
    @Test func loadThatRacedWithWritesStoresTheDatabaseState() {
        let cache = ScopeCache(capacity: 100)
        let a = KeyPairStoreContractTests.keyPair("a")
        let b = KeyPairStoreContractTests.keyPair("b")
        let c = KeyPairStoreContractTests.keyPair("c")
        #expect(cache.beginLoad(of: Self.scope))
        #expect(cache.isLoading(Self.scope))
        #expect(!cache.beginLoad(of: Self.scope))  // one load a scope at a time
        cache.apply(Self.scope) { $0["b"] = b }  // committed during the load; the snapshot below missed it
        cache.apply(Self.scope) { $0["a"] = nil }  // the snapshot below already holds this delete
        cache.apply(Self.scope) { $0["c"] = c }  // and this insert
        cache.store([c], in: Self.scope)
        #expect(!cache.isLoading(Self.scope))
        #expect(cache.sortedPairs(in: Self.scope) == [b, c])
        // A load spoiled by a write of unknown effect stores nothing.
        cache.invalidate(Self.scope)
        #expect(cache.beginLoad(of: Self.scope))
        cache.invalidate(Self.scope)
        cache.store([a], in: Self.scope)
        #expect(cache.sortedPairs(in: Self.scope) == nil)
    }

    /// Lists longer than SQLite's 32,766 variables a statement are read with one bound variable (issue 13: above
    /// that, with `--key-pair-limit` raised, DescribeKeyPairs and DescribeTags failed).
    @Test func listsLongerThanSQLitesVariableLimitAreRead() async throws {
        let database = try SQLiteDatabase(directory: temporaryDirectory())
        let count = 33_000
        let pairs = (0..<count).map { KeyPairStoreContractTests.keyPair(String(format: "k%05d", $0)) }
        let ids = pairs.map(\.id)
        try await database.pool.write { db in
            for pair in pairs {
                try db.execute(
                    sql: """
                        INSERT INTO key_pairs (id, account, region, name, key_type, fingerprint, public_key, created_ms)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        pair.id.rawValue, Self.scope.account.rawValue, Self.scope.region.rawValue, pair.name,
                        pair.keyType.rawValue, pair.fingerprint, pair.publicKey, 0,
                    ]
                )
                try db.execute(
                    sql:
                        "INSERT INTO tags (resource_id, account, region, key, value, position) VALUES (?, ?, ?, 'k', 'v', 0)",
                    arguments: [pair.id.rawValue, Self.scope.account.rawValue, Self.scope.region.rawValue]
                )
            }
        }
        // A cache too small for the scope, so every read goes to the database.
        let store = SQLiteKeyPairStore(database: database, cacheCapacity: 10)
        let all = try await store.keyPairs(in: Self.scope)
        #expect(all.count == count)
        #expect(all.allSatisfy { $0.tags == [Tag(key: "k", value: "v")] })
        #expect(try await store.keyPairs(in: Self.scope, ids: ids).count == count)
        #expect(try await store.keyPairs(in: Self.scope, names: all.map(\.name)).count == count)
    }
}
