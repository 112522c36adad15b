import Foundation
import GRDB
import KeywayCore
@testable import KeywayStorage
import Testing

@Suite struct SQLiteDatabaseTests {
    @Test func dataSurvivesReopeningAndMigrationsRunOnce() async throws {
        let directory = temporaryDirectory()
        let pair = KeyPairStoreContractTests.keyPair("kept", tags: [Tag(key: "a", value: "b")])
        do {
            let store = SQLiteKeyPairStore(database: try SQLiteDatabase(directory: directory))
            try await store.insert(pair, limit: 10)
        }
        let database = try SQLiteDatabase(directory: directory)
        #expect(try await SQLiteKeyPairStore(database: database).keyPairs(in: KeyPairStoreContractTests.scope) == [pair])
        #expect(try database.integrityCheck() == "ok")
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
                        arguments: ["key-\(name)", KeyPairStoreContractTests.scope.account.rawValue,
                                    KeyPairStoreContractTests.scope.region.rawValue, name]
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
