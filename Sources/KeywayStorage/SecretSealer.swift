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

    /// Loads the master key from the environment or the data folder, creating the file when neither has one.
    public static func load(directory: URL, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SecretSealer {
        if let encoded = environment[Self.environmentVariable] {
            guard let bytes = Data(base64Encoded: encoded), bytes.count == 32 else {
                throw KeywayStorageError(.cannotOpen, reason: "\(Self.environmentVariable) must be base64 of 32 bytes")
            }
            return SecretSealer(key: SymmetricKey(data: bytes))
        }
        let path = directory.appendingPathComponent(Self.fileName).path
        if let bytes = FileManager.default.contents(atPath: path) {
            guard let decoded = Data(base64Encoded: String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
                decoded.count == 32
            else {
                throw KeywayStorageError(.cannotOpen, reason: "\(path) does not hold base64 of 32 bytes")
            }
            return SecretSealer(key: SymmetricKey(data: decoded))
        }
        let key = SymmetricKey(size: .bits256)
        let text = key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
        // Created 0600 from the start: the key is never readable by others, not even for a moment.
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw KeywayStorageError(.cannotOpen, reason: "cannot create \(path)")
        }
        return SecretSealer(key: key)
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
