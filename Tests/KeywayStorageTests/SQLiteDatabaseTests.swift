import Crypto
import Foundation
import GRDB
import KeywayCore
import Synchronization
import Testing

@testable import KeywayStorage

@Suite struct SQLiteDatabaseTests {
    @Test func dataSurvivesReopeningAndMigrationsRunOnce() async throws {
        let directory = temporaryDirectory()
        let pair = KeyPairStoreContractTests.keyPair("kept", tags: [Tag(key: "a", value: "b")])
        do {
            let store = SQLiteKeyPairStore(database: try SQLiteDatabase(directory: directory))
            try await store.insert(pair, limit: 10)
        }
        let database = try SQLiteDatabase(directory: directory)
        #expect(
            try await SQLiteKeyPairStore(database: database).keyPairs(in: KeyPairStoreContractTests.scope) == [pair]
        )
        #expect(try database.integrityCheck() == "ok")
    }

    /// Background checkpoints copy committed frames into the database file while writers keep writing, and what is
    /// written stays readable through it, integrity intact; without them `checkpoint()` does nothing.
    @Test func backgroundCheckpointsCopyTheWALBesideWriters() async throws {
        let directory = temporaryDirectory()
        let database = try SQLiteDatabase(directory: directory, backgroundCheckpoints: true)
        let store = SQLiteKeyPairStore(database: database)
        let done = Mutex(false)
        let writes = Task {
            defer { done.withLock { $0 = true } }
            for index in 0..<200 { try await store.insert(KeyPairStoreContractTests.keyPair("k\(index)"), limit: 1000) }
        }
        while !done.withLock({ $0 }) { try await database.checkpoint() }
        try await writes.value
        var last = try await database.checkpoint()
        while last == nil { last = try await database.checkpoint() }
        #expect(last!.walFrames > 0)
        #expect(last!.checkpointed == last!.walFrames)
        #expect(try await store.keyPairs(in: KeyPairStoreContractTests.scope).count == 200)
        #expect(try database.integrityCheck() == "ok")
        let reopened = try SQLiteDatabase(directory: directory)
        #expect(
            try await SQLiteKeyPairStore(database: reopened).keyPairs(in: KeyPairStoreContractTests.scope).count == 200
        )
        let plain = try #require(try await reopened.checkpoint())
        #expect(plain == (0, 0))
    }

    /// A database from before the key pair counts (migration 0005) gets counts for the key pairs it already holds.
    @Test func countsMigrationCountsExistingKeyPairs() async throws {
        let directory = temporaryDirectory()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let pool = try DatabasePool(path: directory.appendingPathComponent(SQLiteDatabase.fileName).path)
            try SQLiteDatabase.migrator.migrate(pool, upTo: "0004-instances")
            try await pool.write { db in
                for name in ["a", "b"] {
                    try db.execute(
                        sql: "INSERT INTO key_pairs VALUES (?, ?, ?, ?, 'ed25519', 'f', 'k', 0)",
                        arguments: [
                            "key-\(name)", KeyPairStoreContractTests.scope.account.rawValue,
                            KeyPairStoreContractTests.scope.region.rawValue, name,
                        ]
                    )
                }
            }
        }
        let store = SQLiteKeyPairStore(database: try SQLiteDatabase(directory: directory))
        await #expect(throws: KeywayError(.keyPairLimitExceeded, subject: "2")) {
            try await store.insert(KeyPairStoreContractTests.keyPair("c"), limit: 2)
        }
        try await store.insert(KeyPairStoreContractTests.keyPair("c"), limit: 3)
    }

    /// Users stored before user tags (migration 0006) are read back with no tags, and can be tagged.
    @Test func userTagsMigrationKeepsExistingUsers() async throws {
        let directory = temporaryDirectory()
        let account = IdentityStoreContractTests.account
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let pool = try DatabasePool(path: directory.appendingPathComponent(SQLiteDatabase.fileName).path)
            try SQLiteDatabase.migrator.migrate(pool, upTo: "0005-key-pair-counts")
            try await pool.write { db in
                try db.execute(
                    sql: "INSERT INTO users VALUES (?, 'Old', 'old', '/', 'AIDAAAAAAAAAAAAAAAAAA', 1700000000)",
                    arguments: [account.rawValue]
                )
            }
        }
        let store = SQLiteIdentityStore(
            database: try SQLiteDatabase(directory: directory),
            sealer: SecretSealer(key: SymmetricKey(size: .bits256))
        )
        let old = try #require(try await store.user(in: account, named: "old"))
        #expect(old.name == "Old")
        #expect(old.tags == [])
        try await store.updateUserTags(in: account, named: "old") { _ in [Tag(key: "k", value: "v")] }
        #expect(try await store.user(in: account, named: "OLD")?.tags == [Tag(key: "k", value: "v")])
    }

    @Test func dataFolderIsPrivate() throws {
        let directory = temporaryDirectory()
        _ = try SQLiteDatabase(directory: directory)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
    }

    @Test func unusableFolderIsAStorageError() {
        #expect(throws: KeywayStorageError.self) {
            try SQLiteDatabase(directory: URL(fileURLWithPath: "/proc/keyway-cannot-be-here"))
        }
    }
}
