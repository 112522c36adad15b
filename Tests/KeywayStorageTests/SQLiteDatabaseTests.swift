import Foundation
import KeywayCore
import KeywayStorage
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
