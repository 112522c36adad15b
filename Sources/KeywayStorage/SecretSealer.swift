import Crypto
import Foundation

/// Encrypts secrets for storage with AES-256-GCM under the master key, binding each to the ID it belongs to.
///
/// The master key comes from `KEYWAY_MASTER_KEY` (base64 of 32 bytes) or from `master.key` in the data folder,
/// made on first use with mode 0600. Without it the database file reveals no secret.
public struct SecretSealer: Sendable {
    private let key: SymmetricKey

    /// The environment variable that can carry the master key instead of the file.
    public static let environmentVariable = "KEYWAY_MASTER_KEY"
    /// The master key file's name inside the data folder.
    public static let fileName = "master.key"

    public init(key: SymmetricKey) {
        self.key = key
    }

    /// The `keyway_meta` entry that holds the canary: a fixed text sealed under the master key, so a start with the
    /// wrong key is refused before it reads or writes anything else.
    static let canaryName = "master-key-canary"
    private static let canaryText = "keyway master key canary"

    /// Loads the master key for the data folder from the environment or `master.key`, and checks it against the
    /// store, before the store is opened for writing.
    ///
    /// The master key is made (as `master.key`, mode 0600) only for a store that holds no account and no sealed
    /// secret. A store that does refuses to open without its key (``KeywayStorageError/Code/masterKeyMissing``) or
    /// with another one (``KeywayStorageError/Code/masterKeyMismatch``), and not a byte of the data folder changes:
    /// a new key would make every stored secret unreadable and lock the operator out (issue 13). After the store is
    /// open, ``recordCanary(in:)`` records which key seals it.
    public static func load(
        directory: URL,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> SecretSealer {
        let path = directory.appendingPathComponent(Self.fileName).path
        let facts = try Self.storeCall { try SQLiteDatabase.sealFacts(directory: directory) }
        guard let (key, source) = try Self.givenKey(path: path, environment: environment) else {
            if let facts, facts.holdsSecrets {
                throw KeywayStorageError(
                    .masterKeyMissing,
                    reason:
                        "the database in \(directory.path) holds secrets sealed under a master key, but \(path) is missing and \(Self.environmentVariable) is not set; restore the key file (or set \(Self.environmentVariable)) and start again"
                )
            }
            try FileManager.default.createDirectory(
                at: directory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
            return try Self.create(path: path)
        }
        let sealer = SecretSealer(key: key)
        let mismatch = KeywayStorageError(
            .masterKeyMismatch,
            reason:
                "the master key in \(source) does not open the secrets in \(directory.path); give the key this database was made with"
        )
        if let canary = facts?.canary {
            guard (try? sealer.open(canary, id: Self.canaryName)) == Self.canaryText else { throw mismatch }
        } else if let (sealed, id) = facts?.sealedSecret, (try? sealer.open(sealed, id: id)) == nil {
            // A store made before the canary existed: checked against a secret it holds.
            throw mismatch
        }
        return sealer
    }

    /// Records which master key seals the store, once (see ``load(directory:environment:)``).
    public func recordCanary(in database: SQLiteDatabase) throws {
        guard try Self.storeCall({ try database.metaValueExists(Self.canaryName) }) == false else { return }
        let sealed = try self.seal(Self.canaryText, id: Self.canaryName)
        try Self.storeCall { try database.setMetaValue(Self.canaryName, sealed) }
    }

    /// The master key from the environment or the key file, and where it came from; nil when neither has one.
    private static func givenKey(path: String, environment: [String: String]) throws -> (SymmetricKey, String)? {
        if let encoded = environment[Self.environmentVariable] {
            guard let bytes = Data(base64Encoded: encoded), bytes.count == 32 else {
                throw KeywayStorageError(.cannotOpen, reason: "\(Self.environmentVariable) must be base64 of 32 bytes")
            }
            return (SymmetricKey(data: bytes), Self.environmentVariable)
        }
        guard let bytes = FileManager.default.contents(atPath: path) else { return nil }
        guard
            let decoded = Data(
                base64Encoded: String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            ),
            decoded.count == 32
        else {
            throw KeywayStorageError(.cannotOpen, reason: "\(path) does not hold base64 of 32 bytes")
        }
        return (SymmetricKey(data: decoded), path)
    }

    private static func create(path: String) throws -> SecretSealer {
        let key = SymmetricKey(size: .bits256)
        let text = key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
        // Created 0600 from the start: the key is never readable by others, not even for a moment.
        guard
            FileManager.default.createFile(
                atPath: path,
                contents: Data(text.utf8),
                attributes: [.posixPermissions: 0o600]
            )
        else {
            throw KeywayStorageError(.cannotOpen, reason: "cannot create \(path)")
        }
        return SecretSealer(key: key)
    }

    /// Runs a database call, turning GRDB's errors into this module's.
    private static func storeCall<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as KeywayStorageError {
            throw error
        } catch {
            throw KeywayStorageError(.cannotOpen, reason: "cannot read the database: \(error)")
        }
    }

    /// Encrypts `secret`, authenticated together with `id` so a sealed value cannot be moved to another row.
    public func seal(_ secret: String, id: String) throws -> Data {
        guard
            let combined = try AES.GCM.seal(Data(secret.utf8), using: self.key, authenticating: Data(id.utf8)).combined
        else {
            throw KeywayStorageError(.corruptRow, reason: "AES-GCM produced no combined form")
        }
        return combined
    }

    /// Decrypts a value sealed for `id`.
    public func open(_ sealed: Data, id: String) throws -> String {
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            return String(
                decoding: try AES.GCM.open(box, using: self.key, authenticating: Data(id.utf8)),
                as: UTF8.self
            )
        } catch {
            throw KeywayStorageError(.corruptRow, reason: "the secret of \(id) does not decrypt with this master key")
        }
    }
}
