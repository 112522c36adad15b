import Foundation
import KeyFormats

/// The EC2 key pair rules: create, import, describe, delete, and tags, over a ``KeyPairStore``.
///
/// Private keys leave through ``CreatedKeyPair`` once and are never stored; only public halves, fingerprints and
/// metadata reach the store.
public struct KeyPairService: Sendable {
    /// Time, IDs and key generation, injectable so tests can pin them.
    public struct Environment: Sendable {
        public var now: @Sendable () -> Date
        public var newKeyPairID: @Sendable () -> KeyPairID
        public var generateKey: @Sendable (KeyType) async throws -> PrivateKey

        public init(
            now: @escaping @Sendable () -> Date,
            newKeyPairID: @escaping @Sendable () -> KeyPairID,
            generateKey: @escaping @Sendable (KeyType) async throws -> PrivateKey
        ) {
            self.now = now
            self.newKeyPairID = newKeyPairID
            self.generateKey = generateKey
        }

        /// The system clock, the system random number generator, and 2048-bit RSA or Ed25519 keys as EC2 makes them;
        /// RSA keys come from ``RSAKeyPool/shared``, generated ahead on their own threads.
        public static let live = Environment(
            now: { Date() },
            newKeyPairID: {
                var generator = SystemRandomNumberGenerator()
                return KeyPairID.random(using: &generator)
            },
            generateKey: { type in type == .rsa ? try await RSAKeyPool.shared.take() : try PrivateKey(generating: type)
            }
        )
    }

    /// The file formats CreateKeyPair returns private keys in.
    public enum PrivateKeyFormat: String, Sendable, CaseIterable {
        /// PKCS#1 PEM for RSA, OpenSSH for Ed25519.
        case pem
        /// PuTTY `.ppk`, version 2.
        case ppk
    }

    /// A key pair just created, with its private key: returned to the caller once, kept nowhere.
    public struct CreatedKeyPair: Sendable {
        public let keyPair: KeyPair
        public let keyMaterial: String
    }

    public let store: any KeyPairStore
    public let environment: Environment
    /// Key pairs an account may hold in one region.
    public let limitPerRegion: Int

    public init(
        store: any KeyPairStore,
        environment: Environment = .live,
        limitPerRegion: Int = KeyPair.defaultLimitPerRegion
    ) {
        self.store = store
        self.environment = environment
        self.limitPerRegion = limitPerRegion
    }

    /// Creates a key pair: generates the key, stores its public half, returns the private key in `format`.
    public func createKeyPair(
        in scope: Scope,
        name: String,
        type: KeyType,
        format: PrivateKeyFormat,
        tags: [Tag]
    ) async throws -> CreatedKeyPair {
        try KeyPair.validateName(name)
        try Self.validateNewTags(tags)
        // Refuse a taken name before spending an RSA key from the pool on it; the store decides races, and for
        // Ed25519 (microseconds to make) its insert is the only check, saving a read per create.
        if type == .rsa, let existing = try await self.store.keyPairs(in: scope, names: [name]).first {
            throw KeywayError(.keyPairDuplicate, subject: existing.name)
        }
        let privateKey = try await self.environment.generateKey(type)
        let keyPair = KeyPair(
            id: self.environment.newKeyPairID(),
            scope: scope,
            name: name,
            keyType: type,
            fingerprint: privateKey.awsCreatedFingerprint,
            publicKey: privateKey.publicKey.openSSHRepresentation(comment: name),
            createTime: self.environment.now().truncatedToMilliseconds,
            tags: tags
        )
        try await self.store.insert(keyPair, limit: self.limitPerRegion)
        let material: String
        switch format {
        case .pem: material = privateKey.pemRepresentation(comment: name)
        case .ppk: material = privateKey.ppkRepresentation(comment: name, version: .v2)
        }
        return CreatedKeyPair(keyPair: keyPair, keyMaterial: material)
    }

    /// Imports a public key given as the bytes of a key file.
    ///
    /// Accepts OpenSSH lines and RFC 4716 blocks (RSA and Ed25519), and base64 DER or PEM public keys (RSA, as AWS
    /// documents). Private keys are refused: nothing secret is ever stored.
    public func importKeyPair(
        in scope: Scope,
        name: String,
        publicKeyMaterial: [UInt8],
        tags: [Tag]
    ) async throws -> KeyPair {
        try KeyPair.validateName(name)
        try Self.validateNewTags(tags)
        let material: KeyMaterial
        do {
            // Public formats only: a private key sent here is refused unread, never parsed.
            material = try KeyMaterial(publicKeyBytes: publicKeyMaterial)
        } catch let error as KeyFormatsError {
            throw KeywayError(.invalidPublicKey, subject: name, detail: error.message)
        }
        if material.publicKey.keyType == .ed25519, [.spkiDER, .spkiPEM].contains(material.format) {
            throw KeywayError(
                .invalidPublicKey,
                subject: name,
                detail: "EC2 takes Ed25519 keys only as OpenSSH or RFC 4716 text."
            )
        }
        let keyPair = KeyPair(
            id: self.environment.newKeyPairID(),
            scope: scope,
            name: name,
            keyType: material.publicKey.keyType,
            fingerprint: material.publicKey.awsImportedFingerprint,
            publicKey: material.publicKey.openSSHRepresentation(comment: name),
            createTime: self.environment.now().truncatedToMilliseconds,
            tags: tags
        )
        try await self.store.insert(keyPair, limit: self.limitPerRegion)
        return keyPair
    }

    /// The filters DescribeKeyPairs supports, besides `tag:<key>`.
    public static let describeFilters: Set<String> = ["key-pair-id", "key-name", "fingerprint", "tag-key"]

    /// Describes key pairs: those named or identified (each must exist), or all; then filtered.
    ///
    /// When both names and IDs are given, the result holds the key pairs found by either.
    public func describeKeyPairs(
        in scope: Scope,
        names: [String],
        ids: [String],
        filters: [Filter]
    ) async throws -> [KeyPair] {
        for filter in filters { try filter.validate(supported: Self.describeFilters) }
        var found: [KeyPair]
        if names.isEmpty && ids.isEmpty {
            found = try await self.store.keyPairs(in: scope)
        } else {
            found = []
            if !names.isEmpty {
                let byName = try await self.store.keyPairs(in: scope, names: names)
                let present = Set(byName.map(\.name))
                if let missing = names.first(where: { !present.contains($0) }) {
                    throw KeywayError(.keyPairNotFound, subject: missing)
                }
                found += byName
            }
            if !ids.isEmpty {
                guard let parsed = ids.parsedAll(KeyPairID.init(rawValue:)) else {
                    // EC2 publishes no malformed-ID code for key pairs: a malformed ID is one that does not exist.
                    throw KeywayError(.keyPairIDNotFound, subject: ids.first { KeyPairID(rawValue: $0) == nil } ?? "")
                }
                let byID = try await self.store.keyPairs(in: scope, ids: parsed)
                let present = Set(byID.map(\.id))
                if let missing = parsed.first(where: { !present.contains($0) }) {
                    throw KeywayError(.keyPairIDNotFound, subject: missing.rawValue)
                }
                let already = Set(found.map(\.id))
                found += byID.filter { !already.contains($0.id) }
                found.sort { $0.name < $1.name }
            }
        }
        return found.filter { pair in filters.allSatisfy { pair.passes($0) } }
    }

    /// Deletes a key pair by ID or, without one, by name. A missing key pair is not an error (EC2 answers `true`);
    /// the result is then nil.
    public func deleteKeyPair(in scope: Scope, name: String?, id: String?) async throws -> KeyPair? {
        if let id {
            guard let parsed = KeyPairID(rawValue: id) else { return nil }
            return try await self.store.deleteKeyPair(in: scope, id: parsed)
        }
        guard let name else { throw KeywayError(.missingParameter, subject: "KeyName") }
        return try await self.store.deleteKeyPair(in: scope, name: name)
    }

    private static func validateNewTags(_ tags: [Tag]) throws(KeywayError) {
        for tag in tags { try tag.validate() }
        guard Set(tags.map { Array($0.key.utf8) }).count == tags.count else {
            throw KeywayError(.invalidParameterValue, subject: "Tag.Key", detail: "A tag key is given more than once.")
        }
        guard tags.count <= Tag.maximumPerResource else {
            throw KeywayError(.tagLimitExceeded, subject: "")
        }
    }
}

extension KeyPair {
    /// Whether the key pair passes one DescribeKeyPairs filter.
    func passes(_ filter: Filter) -> Bool {
        switch filter.name {
        case "key-pair-id": filter.matches(self.id.rawValue)
        case "key-name": filter.matches(self.name)
        case "fingerprint": filter.matches(self.fingerprint)
        case "tag-key": self.tags.contains { filter.matches($0.key) }
        default: filter.matchesTag(in: self.tags)
        }
    }
}

extension Array where Element == String {
    /// Every element parsed, or nil when one does not parse.
    func parsedAll<T>(_ parse: (String) -> T?) -> [T]? {
        var parsed: [T] = []
        for element in self {
            guard let value = parse(element) else { return nil }
            parsed.append(value)
        }
        return parsed
    }
}

extension Date {
    /// The same instant cut to whole milliseconds, as EC2 reports `createTime`.
    public var truncatedToMilliseconds: Date {
        Date(timeIntervalSince1970: (self.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }
}
