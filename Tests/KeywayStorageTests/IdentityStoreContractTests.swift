import Crypto
import Foundation
import KeywayCore
import KeywayStorage
import Testing

/// The behaviour every ``IdentityStore`` must have, run against memory and SQLite alike.
@Suite struct IdentityStoreContractTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case memory, sqlite
        var testDescription: String { self.rawValue }
    }

    static let account = AccountID(rawValue: "111111111111")!
    static let other = AccountID(rawValue: "222222222222")!

    static func makeStore(_ kind: Kind, directory: URL = temporaryDirectory()) throws -> any IdentityStore {
        switch kind {
        case .memory: return InMemoryIdentityStore()
        case .sqlite:
            return SQLiteIdentityStore(
                database: try SQLiteDatabase(directory: directory),
                sealer: SecretSealer(key: SymmetricKey(size: .bits256))
            )
        }
    }

    static func key(_ account: AccountID = account, user: String?) -> (AccessKey, SecretAccessKey) {
        var generator = SystemRandomNumberGenerator()
        return (
            AccessKey(
                id: AccessKeyID.random(using: &generator),
                account: account,
                userName: user,
                status: .active,
                createTime: Date(timeIntervalSince1970: 1_700_000_000),
                lastUsed: nil
            ),
            SecretAccessKey.random(using: &generator)
        )
    }

    static func user(_ name: String, account: AccountID = account, path: String = "/") -> IAMUser {
        var generator = SystemRandomNumberGenerator()
        return IAMUser(
            account: account,
            name: name,
            path: path,
            id: UserID.random(using: &generator),
            createTime: Date(timeIntervalSince1970: 1_700_000_000)
        )
    }

    @Test(arguments: Kind.allCases)
    func accountsAndRootKeys(_ kind: Kind) async throws {
        let store = try Self.makeStore(kind)
        let (root, secret) = Self.key(user: nil)
        try await store.createAccount(
            Account(id: Self.account, createTime: Date(timeIntervalSince1970: 1_700_000_000)),
            rootKey: root,
            secret: secret
        )
        #expect(try await store.accounts().map(\.id) == [Self.account])
        let found = try #require(try await store.accessKey(id: root.id))
        #expect(found.key == root)
        #expect(found.secret == secret)
        #expect(try await store.accessKeys(in: Self.account, userName: nil) == [root])
        // The root's keys count toward a limit too, apart from any user's.
        try await store.insertUser(Self.user("alice"), limit: 10)
        let (alices, alicesSecret) = Self.key(user: "alice")
        try await store.insertAccessKey(alices, secret: alicesSecret, limit: 2)
        let (second, secondSecret) = Self.key(user: nil)
        try await store.insertAccessKey(second, secret: secondSecret, limit: 2)
        let (third, thirdSecret) = Self.key(user: nil)
        await #expect(throws: KeywayError(.accessKeyLimitExceeded, subject: "2")) {
            try await store.insertAccessKey(third, secret: thirdSecret, limit: 2)
        }
        #expect(try await store.accessKeys(in: Self.account, userName: nil).count == 2)
    }

    @Test(arguments: Kind.allCases)
    func usersAreUniqueRegardlessOfCase(_ kind: Kind) async throws {
        let store = try Self.makeStore(kind)
        try await store.insertUser(Self.user("Alice"), limit: 10)
        await #expect(throws: KeywayError(.userDuplicate, subject: "alice")) {
            try await store.insertUser(Self.user("alice"), limit: 10)
        }
        try await store.insertUser(Self.user("alice", account: Self.other), limit: 10)
        #expect(try await store.user(in: Self.account, named: "ALICE")?.name == "Alice")
        try await store.insertUser(Self.user("bob", path: "/ops/"), limit: 2)
        await #expect(throws: KeywayError(.userLimitExceeded, subject: "2")) {
            try await store.insertUser(Self.user("carol"), limit: 2)
        }
        #expect(try await store.users(in: Self.account, pathPrefix: "/ops/").map(\.name) == ["bob"])
        #expect(try await store.users(in: Self.account, pathPrefix: "/").map(\.name) == ["Alice", "bob"])
    }

    @Test(arguments: Kind.allCases)
    func keysLimitsStatusAndDeletion(_ kind: Kind) async throws {
        let store = try Self.makeStore(kind)
        try await store.insertUser(Self.user("alice"), limit: 10)
        let (first, firstSecret) = Self.key(user: "alice")
        let (second, secondSecret) = Self.key(user: "alice")
        try await store.insertAccessKey(first, secret: firstSecret, limit: 2)
        try await store.insertAccessKey(second, secret: secondSecret, limit: 2)
        let (third, thirdSecret) = Self.key(user: "alice")
        await #expect(throws: KeywayError(.accessKeyLimitExceeded, subject: "2")) {
            try await store.insertAccessKey(third, secret: thirdSecret, limit: 2)
        }
        await #expect(throws: KeywayError(.deleteConflict, subject: "alice")) {
            try await store.deleteUser(in: Self.account, named: "alice")
        }
        await #expect(throws: KeywayError(.accessKeyNotFound, subject: first.id.rawValue)) {
            try await store.updateAccessKey(in: Self.account, userName: "bob", id: first.id, status: .inactive)
        }
        await #expect(throws: KeywayError(.accessKeyNotFound, subject: first.id.rawValue)) {
            try await store.updateAccessKey(in: Self.other, userName: "alice", id: first.id, status: .inactive)
        }
        try await store.updateAccessKey(in: Self.account, userName: "alice", id: first.id, status: .inactive)
        #expect(try await store.accessKey(id: first.id)?.key.status == .inactive)
        let use = AccessKeyUse(date: Date(timeIntervalSince1970: 1_700_000_100), service: "ec2", region: "eu-west-1")
        try await store.recordUses([second.id: use])
        #expect(try await store.accessKey(id: second.id)?.key.lastUsed == use)
        try await store.deleteAccessKey(in: Self.account, userName: "alice", id: first.id)
        try await store.deleteAccessKey(in: Self.account, userName: "alice", id: second.id)
        #expect(try await store.accessKey(id: first.id) == nil)
        try await store.deleteUser(in: Self.account, named: "ALICE")
        #expect(try await store.user(in: Self.account, named: "alice") == nil)
        await #expect(throws: KeywayError(.userNotFound, subject: "alice")) {
            try await store.deleteUser(in: Self.account, named: "alice")
        }
    }

    /// A user's tags are stored with it, changed in one step (or not at all when the change throws), and go with it.
    @Test(arguments: Kind.allCases)
    func userTagsPersistAndChangeAtomically(_ kind: Kind) async throws {
        let store = try Self.makeStore(kind)
        var alice = Self.user("Alice")
        alice.tags = [Tag(key: "Team", value: "blue")]
        try await store.insertUser(alice, limit: 10)
        #expect(try await store.user(in: Self.account, named: "alice")?.tags == [Tag(key: "Team", value: "blue")])
        try await store.updateUserTags(in: Self.account, named: "ALICE") { $0 + [Tag(key: "phone", value: "")] }
        let both = [Tag(key: "Team", value: "blue"), Tag(key: "phone", value: "")]
        #expect(try await store.user(in: Self.account, named: "alice")?.tags == both)
        #expect(try await store.users(in: Self.account, pathPrefix: "/").first?.tags == both)
        await #expect(throws: KeywayError(.tagLimitExceeded, subject: "alice")) {
            try await store.updateUserTags(in: Self.account, named: "alice") { _ in
                throw KeywayError(.tagLimitExceeded, subject: "alice")
            }
        }
        #expect(try await store.user(in: Self.account, named: "alice")?.tags == both)
        await #expect(throws: KeywayError(.userNotFound, subject: "bob")) {
            try await store.updateUserTags(in: Self.account, named: "bob") { $0 }
        }
        await #expect(throws: KeywayError(.userNotFound, subject: "alice")) {
            try await store.updateUserTags(in: Self.other, named: "alice") { $0 }
        }
        try await store.deleteUser(in: Self.account, named: "alice")
        try await store.insertUser(Self.user("alice"), limit: 10)
        #expect(try await store.user(in: Self.account, named: "alice")?.tags == [])
    }

    /// The database files never hold a secret in clear, and a different master key cannot read it.
    @Test func secretsAreSealedAtRest() async throws {
        let directory = temporaryDirectory()
        let store = try Self.makeStore(.sqlite, directory: directory)
        let (root, secret) = Self.key(user: nil)
        try await store.createAccount(Account(id: Self.account, createTime: Date()), rootKey: root, secret: secret)
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            #expect(data.range(of: Data(secret.value.utf8)) == nil, "\(file)")
        }
        let otherKey = SQLiteIdentityStore(
            database: try SQLiteDatabase(directory: directory),
            sealer: SecretSealer(key: SymmetricKey(size: .bits256))
        )
        await #expect(throws: KeywayStorageError.self) { try await otherKey.accessKey(id: root.id) }
    }

    @Test func masterKeyFileIsMadeOnceWithMode0600() throws {
        let directory = temporaryDirectory()
        let first = try SecretSealer.load(directory: directory, environment: [:])
        try first.recordCanary(in: try SQLiteDatabase(directory: directory))
        let sealed = try first.seal("secret", id: "AKIA")
        let second = try SecretSealer.load(directory: directory, environment: [:])
        #expect(try second.open(sealed, id: "AKIA") == "secret")
        #expect(throws: KeywayStorageError.self) { try second.open(sealed, id: "AKIB") }
        let attributes = try FileManager.default.attributesOfItem(
            atPath: directory.appendingPathComponent("master.key").path
        )
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func anotherMasterKeyIsRefusedByTheCanary() throws {
        let directory = temporaryDirectory()
        try SecretSealer.load(directory: directory, environment: [:]).recordCanary(
            in: try SQLiteDatabase(directory: directory)
        )
        let otherKey = [SecretSealer.environmentVariable: Data(repeating: 7, count: 32).base64EncodedString()]
        #expect(throws: KeywayStorageError(.masterKeyMismatch, reason: "")) {
            try SecretSealer.load(directory: directory, environment: otherKey)
        }
    }

    @Test func aStoreWithSecretsIsNeverGivenANewMasterKey() async throws {
        let directory = temporaryDirectory()
        let sealer = try SecretSealer.load(directory: directory, environment: [:])
        let database = try SQLiteDatabase(directory: directory)
        try sealer.recordCanary(in: database)
        let store = SQLiteIdentityStore(database: database, sealer: sealer)
        let (root, secret) = Self.key(user: nil)
        try await store.createAccount(Account(id: Self.account, createTime: Date()), rootKey: root, secret: secret)
        let keyFile = directory.appendingPathComponent(SecretSealer.fileName)
        try FileManager.default.removeItem(at: keyFile)
        let before = try Data(contentsOf: directory.appendingPathComponent(SQLiteDatabase.fileName))
        let filesBefore = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        let error = #expect(throws: KeywayStorageError(.masterKeyMissing, reason: "")) {
            try SecretSealer.load(directory: directory, environment: [:])
        }
        #expect(error?.reason.contains("master.key is missing") == true)
        #expect(!FileManager.default.fileExists(atPath: keyFile.path))
        #expect(try Data(contentsOf: directory.appendingPathComponent(SQLiteDatabase.fileName)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == filesBefore)
    }

    @Test func aStoreFromBeforeTheCanaryIsCheckedAgainstItsSecrets() async throws {
        let directory = temporaryDirectory()
        let database = try SQLiteDatabase(directory: directory)
        let key = SymmetricKey(size: .bits256)
        let store = SQLiteIdentityStore(database: database, sealer: SecretSealer(key: key))
        let (root, secret) = Self.key(user: nil)
        try await store.createAccount(Account(id: Self.account, createTime: Date()), rootKey: root, secret: secret)
        let wrong = [SecretSealer.environmentVariable: Data(repeating: 7, count: 32).base64EncodedString()]
        #expect(throws: KeywayStorageError(.masterKeyMismatch, reason: "")) {
            try SecretSealer.load(directory: directory, environment: wrong)
        }
        let right = [SecretSealer.environmentVariable: key.withUnsafeBytes { Data($0).base64EncodedString() }]
        let sealer = try SecretSealer.load(directory: directory, environment: right)
        #expect(
            try await SQLiteIdentityStore(database: database, sealer: sealer).accessKey(id: root.id)?.secret == secret
        )
    }
}
