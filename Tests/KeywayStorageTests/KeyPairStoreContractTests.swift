import Foundation
import KeyFormats
import KeywayCore
import KeywayStorage
import Testing

/// Swift Testing has a `Tag` of its own.
typealias Tag = KeywayCore.Tag

/// The behaviour every ``KeyPairStore`` must have, run against the in-memory store and the SQLite store alike.
@Suite struct KeyPairStoreContractTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case memory, sqlite
        var testDescription: String { self.rawValue }
    }

    static let scope = Scope(account: AccountID(rawValue: "111111111111")!, region: Region(rawValue: "us-east-1")!)
    static let otherScope = Scope(account: AccountID(rawValue: "222222222222")!, region: Region(rawValue: "us-east-1")!)

    static func makeStore(_ kind: Kind) throws -> any KeyPairStore {
        switch kind {
        case .memory: return InMemoryKeyPairStore()
        case .sqlite: return SQLiteKeyPairStore(database: try SQLiteDatabase(directory: temporaryDirectory()))
        }
    }

    static func keyPair(_ name: String, scope: Scope = scope, tags: [Tag] = []) -> KeyPair {
        var generator = SystemRandomNumberGenerator()
        return KeyPair(
            id: KeyPairID.random(using: &generator),
            scope: scope,
            name: name,
            keyType: .ed25519,
            fingerprint: "fp-\(name)",
            publicKey: "ssh-ed25519 AAAA \(name)",
            createTime: Date(timeIntervalSince1970: 1_700_000_000.123),
            tags: tags
        )
    }

    @Test(arguments: Kind.allCases)
    func insertAndReadBack(_ kind: Kind) async throws {
        let store = try Self.makeStore(kind)
        let pair = Self.keyPair("a", tags: [Tag(key: "z", value: "1"), Tag(key: "a", value: "")])
        try await store.insert(pair, limit: 10)
        #expect(try await store.keyPairs(in: Self.scope) == [pair])
        #expect(try await store.keyPairs(in: Self.scope, names: ["a", "missing"]) == [pair])
        #expect(try await store.keyPairs(in: Self.scope, ids: [pair.id]) == [pair])
        #expect(try await store.keyPairs(in: Self.otherScope).isEmpty)
    }

    @Test(arguments: Kind.allCases)
    func duplicatesAndLimits(_ kind: Kind) async throws {
        let store = try Self.makeStore(kind)
        try await store.insert(Self.keyPair("a"), limit: 2)
        await #expect(throws: KeywayError(.keyPairDuplicate, subject: "a")) {
            try await store.insert(Self.keyPair("a"), limit: 2)
        }
        try await store.insert(Self.keyPair("b"), limit: 2)
        await #expect(throws: KeywayError(.keyPairLimitExceeded, subject: "2")) {
            try await store.insert(Self.keyPair("c"), limit: 2)
        }
        // At the limit a taken name is still a duplicate, not a limit error.
        await #expect(throws: KeywayError(.keyPairDuplicate, subject: "b")) {
            try await store.insert(Self.keyPair("b"), limit: 2)
        }
        try await store.insert(Self.keyPair("a", scope: Self.otherScope), limit: 2)
        // A delete frees a place, and the refused inserts above did not count.
        _ = try await store.deleteKeyPair(in: Self.scope, name: "a")
        try await store.insert(Self.keyPair("c"), limit: 2)
        await #expect(throws: KeywayError(.keyPairLimitExceeded, subject: "2")) {
            try await store.insert(Self.keyPair("d"), limit: 2)
        }
        try await store.removeAll()
        try await store.insert(Self.keyPair("d"), limit: 1)
    }

    /// Many concurrent creates of one name: exactly one wins.
    @Test(arguments: Kind.allCases)
    func concurrentCreatesOfOneName(_ kind: Kind) async throws {
        let store = try Self.makeStore(kind)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 {
                group.addTask { (try? await store.insert(Self.keyPair("same"), limit: 100)) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        #expect(try await store.keyPairs(in: Self.scope).count == 1)
    }

    @Test(arguments: Kind.allCases)
    func deleteByNameAndID(_ kind: Kind) async throws {
        let store = try Self.makeStore(kind)
        let a = Self.keyPair("a", tags: [Tag(key: "t", value: "v")])
        let b = Self.keyPair("b")
        try await store.insert(a, limit: 10)
        try await store.insert(b, limit: 10)
        #expect(try await store.deleteKeyPair(in: Self.otherScope, name: "a") == nil)
        #expect(try await store.deleteKeyPair(in: Self.scope, name: "a") == a)
        #expect(try await store.deleteKeyPair(in: Self.scope, id: b.id) == b)
        #expect(try await store.deleteKeyPair(in: Self.scope, id: b.id) == nil)
        #expect(try await store.keyPairs(in: Self.scope).isEmpty)
        // A new key pair with the old name starts without the old tags.
        try await store.insert(Self.keyPair("a"), limit: 10)
        #expect(try await store.keyPairs(in: Self.scope)[0].tags.isEmpty)
    }

    @Test(arguments: Kind.allCases)
    func canonicallyEquivalentKeysAreDifferentTags(_ kind: Kind) async throws {
        // `é` precomposed and `e` + combining acute: equal for Swift's `==`, different for AWS and SQLite's key.
        let store = try Self.makeStore(kind)
        let pair = Self.keyPair("unicode")
        try await store.insert(pair, limit: 10)
        try await store.createTags(
            in: Self.scope,
            on: [pair.id],
            tags: [Tag(key: "\u{E9}", value: "1"), Tag(key: "e\u{301}", value: "2")],
            limit: 10
        )
        let tags = try #require(try await store.keyPairs(in: Self.scope, ids: [pair.id]).first).tags
        #expect(tags.map { Array($0.key.utf8) } == [Array("\u{E9}".utf8), Array("e\u{301}".utf8)])
        #expect(tags.map(\.value) == ["1", "2"])
    }

    @Test(arguments: Kind.allCases)
    func tagsAreAllOrNothing(_ kind: Kind) async throws {
        let store = try Self.makeStore(kind)
        let a = Self.keyPair("a", tags: [Tag(key: "k", value: "1")])
        let b = Self.keyPair(
            "b",
            tags: [Tag(key: "x", value: "1"), Tag(key: "y", value: "2"), Tag(key: "z", value: "3")]
        )
        try await store.insert(a, limit: 10)
        try await store.insert(b, limit: 10)
        try await store.createTags(
            in: Self.scope,
            on: [a.id],
            tags: [Tag(key: "k", value: "2"), Tag(key: "n", value: "")],
            limit: 3
        )
        #expect(
            try await store.keyPairs(in: Self.scope, ids: [a.id])[0].tags == [
                Tag(key: "k", value: "2"), Tag(key: "n", value: ""),
            ]
        )
        // b would pass the limit of 3: nothing changes, on a either.
        await #expect(throws: KeywayError(.tagLimitExceeded, subject: b.id.rawValue)) {
            try await store.createTags(in: Self.scope, on: [a.id, b.id], tags: [Tag(key: "p", value: "")], limit: 3)
        }
        #expect(try await store.keyPairs(in: Self.scope, ids: [a.id])[0].tags.count == 2)
        let missing = Self.keyPair("gone").id
        await #expect(throws: KeywayError(.keyPairIDNotFound, subject: missing.rawValue)) {
            try await store.deleteTags(in: Self.scope, on: [a.id, missing], deletions: nil)
        }
        #expect(try await store.keyPairs(in: Self.scope, ids: [a.id])[0].tags.count == 2)
        try await store.deleteTags(
            in: Self.scope,
            on: [b.id],
            deletions: [TagDeletion(key: "x", value: "1"), TagDeletion(key: "y", value: "9")]
        )
        #expect(
            try await store.keyPairs(in: Self.scope, ids: [b.id])[0].tags == [
                Tag(key: "y", value: "2"), Tag(key: "z", value: "3"),
            ]
        )
    }
}

func temporaryDirectory() -> URL {
    URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
        "keyway-test-\(UUID().uuidString)",
        isDirectory: true
    )
}
