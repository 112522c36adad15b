import Foundation
import KeyFormats
import KeywayCore
import Testing

@Suite struct KeyPairServiceTests {
    static let scope = Scope(account: AccountID(rawValue: "111111111111")!, region: Region(rawValue: "us-east-1")!)
    static let otherRegion = Scope(
        account: AccountID(rawValue: "111111111111")!,
        region: Region(rawValue: "eu-west-1")!
    )
    static let otherAccount = Scope(
        account: AccountID(rawValue: "222222222222")!,
        region: Region(rawValue: "us-east-1")!
    )

    /// A service over a fresh in-memory store with a pinned clock and Ed25519 keys (fast to make).
    static func service(limit: Int = KeyPair.defaultLimitPerRegion) -> KeyPairService {
        let environment = KeyPairService.Environment(
            now: { Date(timeIntervalSince1970: 1_700_000_000.1239) },
            newKeyPairID: {
                var generator = SystemRandomNumberGenerator()
                return KeyPairID.random(using: &generator)
            },
            generateKey: { type in try PrivateKey(generating: type) }
        )
        return KeyPairService(store: InMemoryKeyPairStore(), environment: environment, limitPerRegion: limit)
    }

    static func publicLine() throws -> [UInt8] {
        Array(try PrivateKey(generating: .ed25519).publicKey.openSSHRepresentation(comment: "user@host").utf8)
    }

    @Test func createdKeyIsReturnedOnceAndOnlyItsPublicHalfStored() async throws {
        let service = Self.service()
        let created = try await service.createKeyPair(in: Self.scope, name: "a", type: .ed25519, format: .pem, tags: [])
        #expect(created.keyMaterial.hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----"))
        let key = try #require(try KeyMaterial(text: created.keyMaterial).privateKey)
        #expect(created.keyPair.fingerprint == key.awsCreatedFingerprint)
        #expect(created.keyPair.publicKey == key.publicKey.openSSHRepresentation(comment: "a"))
        #expect(created.keyPair.createTime == Date(timeIntervalSince1970: 1_700_000_000.123))
        let stored = try await service.describeKeyPairs(in: Self.scope, names: ["a"], ids: [], filters: [])
        #expect(stored == [created.keyPair])
    }

    @Test func ppkFormat() async throws {
        let created = try await Self.service().createKeyPair(
            in: Self.scope,
            name: "p",
            type: .rsa,
            format: .ppk,
            tags: []
        )
        #expect(created.keyMaterial.hasPrefix("PuTTY-User-Key-File-2: ssh-rsa\n"))
        #expect(try KeyMaterial(text: created.keyMaterial).comment == "p")
    }

    @Test func namesAreUniquePerAccountAndRegion() async throws {
        let service = Self.service()
        _ = try await service.importKeyPair(
            in: Self.scope,
            name: "k",
            publicKeyMaterial: try Self.publicLine(),
            tags: []
        )
        await #expect(throws: KeywayError(.keyPairDuplicate, subject: "k")) {
            try await service.importKeyPair(
                in: Self.scope,
                name: "k",
                publicKeyMaterial: try Self.publicLine(),
                tags: []
            )
        }
        _ = try await service.importKeyPair(
            in: Self.otherRegion,
            name: "k",
            publicKeyMaterial: try Self.publicLine(),
            tags: []
        )
        _ = try await service.importKeyPair(
            in: Self.otherAccount,
            name: "k",
            publicKeyMaterial: try Self.publicLine(),
            tags: []
        )
        #expect(try await service.describeKeyPairs(in: Self.scope, names: [], ids: [], filters: []).count == 1)
    }

    @Test func importRefusesPrivateKeysAndGarbage() async throws {
        let service = Self.service()
        let privateKey = Array(try PrivateKey(generating: .ed25519).openSSHRepresentation().utf8)
        for material in [privateKey, Array("ssh-rsa JUNK".utf8), Array("hello".utf8)] {
            await #expect(throws: KeywayError(.invalidPublicKey, subject: "x")) {
                try await service.importKeyPair(in: Self.scope, name: "x", publicKeyMaterial: material, tags: [])
            }
        }
        #expect(try await service.describeKeyPairs(in: Self.scope, names: [], ids: [], filters: []).isEmpty)
    }

    @Test func importedRSAUsesTheImportedFingerprint() async throws {
        let key = try PrivateKey(generating: .rsa)
        let pair = try await Self.service().importKeyPair(
            in: Self.scope,
            name: "r",
            publicKeyMaterial: Array(key.publicKey.pemRepresentation.utf8),
            tags: []
        )
        #expect(pair.fingerprint == key.publicKey.awsImportedFingerprint)
        #expect(pair.fingerprint != key.awsCreatedFingerprint)
        #expect(pair.keyType == .rsa)
    }

    @Test func nameRules() async throws {
        let service = Self.service()
        for name in [String(repeating: "n", count: 256), "naïve", " lead", "trail ", "tab\there"] {
            await #expect(throws: KeywayError(.invalidParameterValue, subject: "KeyName")) {
                try await service.importKeyPair(
                    in: Self.scope,
                    name: name,
                    publicKeyMaterial: try Self.publicLine(),
                    tags: []
                )
            }
        }
        _ = try await service.importKeyPair(
            in: Self.scope,
            name: "Test key with spaces",
            publicKeyMaterial: try Self.publicLine(),
            tags: []
        )
        _ = try await service.importKeyPair(
            in: Self.scope,
            name: String(repeating: "n", count: 255),
            publicKeyMaterial: try Self.publicLine(),
            tags: []
        )
    }

    @Test func limitPerRegion() async throws {
        let service = Self.service(limit: 3)
        for index in 0..<3 {
            _ = try await service.importKeyPair(
                in: Self.scope,
                name: "k\(index)",
                publicKeyMaterial: try Self.publicLine(),
                tags: []
            )
        }
        await #expect(throws: KeywayError(.keyPairLimitExceeded, subject: "3")) {
            try await service.importKeyPair(
                in: Self.scope,
                name: "k3",
                publicKeyMaterial: try Self.publicLine(),
                tags: []
            )
        }
        _ = try await service.importKeyPair(
            in: Self.otherRegion,
            name: "k3",
            publicKeyMaterial: try Self.publicLine(),
            tags: []
        )
    }

    @Test func describeNamesIDsAndFilters() async throws {
        let service = Self.service()
        let a = try await service.importKeyPair(
            in: Self.scope,
            name: "alpha",
            publicKeyMaterial: try Self.publicLine(),
            tags: [Tag(key: "env", value: "dev")]
        )
        let b = try await service.importKeyPair(
            in: Self.scope,
            name: "beta",
            publicKeyMaterial: try Self.publicLine(),
            tags: [Tag(key: "env", value: "prod")]
        )
        func describe(names: [String] = [], ids: [String] = [], _ filters: [Filter] = []) async throws -> [String] {
            try await service.describeKeyPairs(in: Self.scope, names: names, ids: ids, filters: filters).map(\.name)
        }
        #expect(try await describe() == ["alpha", "beta"])
        #expect(try await describe(names: ["beta"]) == ["beta"])
        #expect(try await describe(ids: [a.id.rawValue]) == ["alpha"])
        #expect(try await describe(names: ["beta"], ids: [a.id.rawValue]) == ["alpha", "beta"])
        #expect(try await describe([Filter(name: "key-name", values: ["al*"])]) == ["alpha"])
        #expect(try await describe([Filter(name: "key-name", values: ["?eta"])]) == ["beta"])
        #expect(try await describe([Filter(name: "tag:env", values: ["prod", "test"])]) == ["beta"])
        #expect(try await describe([Filter(name: "tag-key", values: ["env"])]) == ["alpha", "beta"])
        #expect(try await describe([Filter(name: "fingerprint", values: [b.fingerprint])]) == ["beta"])
        #expect(try await describe([Filter(name: "key-pair-id", values: [a.id.rawValue])]) == ["alpha"])
        #expect(
            try await describe([Filter(name: "tag-key", values: ["env"]), Filter(name: "key-name", values: ["b*"])])
                == ["beta"]
        )
        await #expect(throws: KeywayError(.keyPairNotFound, subject: "gamma")) {
            try await describe(names: ["alpha", "gamma"])
        }
        await #expect(throws: KeywayError(.keyPairIDNotFound, subject: "key-00000000000000000")) {
            try await describe(ids: ["key-00000000000000000"])
        }
        await #expect(throws: KeywayError(.invalidFilter, subject: "key-type")) {
            try await describe([Filter(name: "key-type", values: ["rsa"])])
        }
        await #expect(throws: KeywayError(.filterValueTooLong, subject: "key-name")) {
            try await describe([Filter(name: "key-name", values: [String(repeating: "x", count: 256)])])
        }
        #expect(try await service.describeKeyPairs(in: Self.otherAccount, names: [], ids: [], filters: []).isEmpty)
    }

    @Test func deleteIsIdempotent() async throws {
        let service = Self.service()
        let pair = try await service.importKeyPair(
            in: Self.scope,
            name: "d",
            publicKeyMaterial: try Self.publicLine(),
            tags: []
        )
        #expect(try await service.deleteKeyPair(in: Self.otherRegion, name: "d", id: nil) == nil)
        #expect(try await service.deleteKeyPair(in: Self.scope, name: nil, id: pair.id.rawValue)?.id == pair.id)
        #expect(try await service.deleteKeyPair(in: Self.scope, name: "d", id: nil) == nil)
        #expect(try await service.deleteKeyPair(in: Self.scope, name: nil, id: "bogus") == nil)
    }

    @Test func tagsRulesAndPaging() async throws {
        let service = Self.service()
        let pair = try await service.importKeyPair(
            in: Self.scope,
            name: "t",
            publicKeyMaterial: try Self.publicLine(),
            tags: []
        )
        let id = pair.id.rawValue
        try await service.createTags(
            in: Self.scope,
            resourceIDs: [id],
            tags: (0..<50).map { Tag(key: "k\($0)", value: "v") }
        )
        await #expect(throws: KeywayError(.tagLimitExceeded, subject: id)) {
            try await service.createTags(in: Self.scope, resourceIDs: [id], tags: [Tag(key: "one-more", value: "")])
        }
        // Overwriting an existing key does not count against the limit.
        try await service.createTags(in: Self.scope, resourceIDs: [id], tags: [Tag(key: "k0", value: "new")])
        await #expect(throws: KeywayError(.invalidParameterValue, subject: "Tag.Key")) {
            try await service.createTags(in: Self.scope, resourceIDs: [id], tags: [Tag(key: "aws:x", value: "")])
        }
        await #expect(throws: KeywayError(.invalidResourceID, subject: "i-123")) {
            try await service.createTags(in: Self.scope, resourceIDs: ["i-123"], tags: [Tag(key: "a", value: "")])
        }
        await #expect(throws: KeywayError(.keyPairIDNotFound, subject: id)) {
            try await service.createTags(in: Self.otherRegion, resourceIDs: [id], tags: [Tag(key: "a", value: "")])
        }
        var seen: [ResourceTag] = []
        var token: String?
        repeat {
            let page = try await service.describeTags(in: Self.scope, filters: [], maxResults: 7, nextToken: token)
            #expect(page.tags.count <= 7)
            seen += page.tags
            token = page.nextToken
        } while token != nil
        #expect(seen.count == 50)
        #expect(Set(seen.map(\.tag.key)).count == 50)
        #expect(seen.first { $0.tag.key == "k0" }?.tag.value == "new")

        try await service.deleteTags(
            in: Self.scope,
            resourceIDs: [id],
            deletions: [TagDeletion(key: "k1", value: "other")]
        )
        try await service.deleteTags(in: Self.scope, resourceIDs: [id], deletions: [TagDeletion(key: "k2", value: nil)])
        var tags = try await service.describeKeyPairs(in: Self.scope, names: ["t"], ids: [], filters: [])[0].tags
        #expect(tags.contains { $0.key == "k1" })
        #expect(!tags.contains { $0.key == "k2" })
        try await service.deleteTags(in: Self.scope, resourceIDs: [id], deletions: nil)
        tags = try await service.describeKeyPairs(in: Self.scope, names: ["t"], ids: [], filters: [])[0].tags
        #expect(tags.isEmpty)
    }
}
