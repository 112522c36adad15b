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

    /// Loads the master key for `database` from the environment or the data folder, and checks it against the store.
    ///
    /// The master key is made (as `master.key`, mode 0600) only for a store that holds no account and no sealed
    /// secret. A store that does refuses to open without its key (``KeywayStorageError/Code/masterKeyMissing``) or
    /// with another one (``KeywayStorageError/Code/masterKeyMismatch``), and nothing is written in either case:
    /// a new key would make every stored secret unreadable and lock the operator out (issue 13).
    public static func load(
        directory: URL, database: SQLiteDatabase, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> SecretSealer {
        let path = directory.appendingPathComponent(Self.fileName).path
        let canary = try Self.storeCall { try database.metaValue(Self.canaryName) }
        let given = try Self.givenKey(path: path, environment: environment)
        guard let (key, source) = given else {
            let sealedSecret = try Self.storeCall { try database.anySealedSecret() }
            let holdsAccounts = try Self.storeCall { try database.holdsAccounts() }
            if canary != nil || sealedSecret != nil || holdsAccounts {
                throw KeywayStorageError(
                    .masterKeyMissing,
                    reason: "the database in \(directory.path) holds secrets sealed under a master key, but \(path) is missing and \(Self.environmentVariable) is not set; restore the key file (or set \(Self.environmentVariable)) and start again"
                )
            }
            let sealer = try Self.create(path: path)
            try sealer.writeCanary(database)
            return sealer
        }
        let sealer = SecretSealer(key: key)
        if let canary {
            guard (try? sealer.open(canary, id: Self.canaryName)) == Self.canaryText else {
                throw KeywayStorageError(
                    .masterKeyMismatch, reason: "the master key in \(source) does not open the secrets in \(directory.path); give the key this database was made with"
                )
            }
            return sealer
        }
        // A store made before the canary existed: check the key against a secret it holds, then record the canary.
        if let (sealed, id) = try Self.storeCall({ try database.anySealedSecret() }), (try? sealer.open(sealed, id: id)) == nil {
            throw KeywayStorageError(
                .masterKeyMismatch, reason: "the master key in \(source) does not open the secrets in \(directory.path); give the key this database was made with"
            )
        }
        try sealer.writeCanary(database)
        return sealer
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
        guard let decoded = Data(base64Encoded: String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
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
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw KeywayStorageError(.cannotOpen, reason: "cannot create \(path)")
        }
        return SecretSealer(key: key)
    }

    private func writeCanary(_ database: SQLiteDatabase) throws {
        let sealed = try self.seal(Self.canaryText, id: Self.canaryName)
        try Self.storeCall { try database.setMetaValue(Self.canaryName, sealed) }
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
        guard let combined = try AES.GCM.seal(Data(secret.utf8), using: self.key, authenticating: Data(id.utf8)).combined else {
            throw KeywayStorageError(.corruptRow, reason: "AES-GCM produced no combined form")
        }
        return combined
    }

    /// Decrypts a value sealed for `id`.
    public func open(_ sealed: Data, id: String) throws -> String {
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            return String(decoding: try AES.GCM.open(box, using: self.key, authenticating: Data(id.utf8)), as: UTF8.self)
        } catch {
            throw KeywayStorageError(.corruptRow, reason: "the secret of \(id) does not decrypt with this master key")
        }
    }
}
