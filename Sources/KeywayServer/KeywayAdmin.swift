import Foundation
import KeyFormats
import KeywayCore
import KeywayStorage

/// Offline administration of a data folder (`keyway admin …`): accounts and root keys, without a running server.
///
/// SQLite's WAL mode lets this run while a server uses the same folder; the server finds new keys on first use.
public enum KeywayAdmin {
    /// Creates an account with a root access key; returns the credentials, which are shown only this once.
    public static func createAccount(dataDirectory: URL, id: AccountID? = nil) async throws -> StartupCredentials {
        let identity = try Self.identity(dataDirectory)
        if let id, try await identity.store.accounts().contains(where: { $0.id == id }) {
            throw KeywayError(.invalidParameterValue, subject: "account", detail: "Account \(id) already exists.")
        }
        let (account, key) = try await identity.createAccount(id: id)
        return StartupCredentials(
            account: account.id,
            accessKeyID: key.key.id.rawValue,
            secretAccessKey: key.secret.value,
            file: nil
        )
    }

    /// Adds a root access key to an account.
    public static func createRootKey(dataDirectory: URL, account: AccountID) async throws -> StartupCredentials {
        let key = try await Self.identity(dataDirectory).createRootAccessKey(account: account)
        return StartupCredentials(
            account: account,
            accessKeyID: key.key.id.rawValue,
            secretAccessKey: key.secret.value,
            file: nil
        )
    }

    /// Every account in the folder.
    public static func accounts(dataDirectory: URL) async throws -> [AccountID] {
        try await Self.identity(dataDirectory).store.accounts().map(\.id)
    }

    /// Lost-key recovery: replaces an instance's authorized keys with one public key, and records it in the audit
    /// log. What the instance metadata shows as the launch key does not change, as in EC2.
    public static func replaceAuthorizedKeys(
        dataDirectory: URL,
        instanceID: String,
        publicKey: String,
        operatorName: String
    ) async throws -> String {
        let database = try SQLiteDatabase(directory: dataDirectory)
        let store = SQLiteInstanceStore(database: database)
        let service = InstanceService(
            store: store,
            keyPairs: SQLiteKeyPairStore(database: database),
            pushedKeys: PushedKeys()
        )
        let instance = try await service.replaceAuthorizedKeys(instanceID: instanceID, publicKey: publicKey)
        let line = instance.authorizedKeysOverride?.first ?? ""
        let fingerprint = try KeyFormats.PublicKey(openSSHPublicKey: line).fingerprints.sha256
        try database.audit(
            action: "replace-authorized-keys",
            subject: instance.id.rawValue,
            detail:
                "account=\(instance.scope.account) region=\(instance.scope.region) key=\(fingerprint) by=\(operatorName)"
        )
        return fingerprint
    }

    /// The audit log of the data folder, oldest first.
    public static func auditLog(dataDirectory: URL) throws -> [String] {
        try SQLiteDatabase(directory: dataDirectory).auditLog()
    }

    private static func identity(_ directory: URL) throws -> IdentityService {
        let sealer = try SecretSealer.load(directory: directory)
        let database = try SQLiteDatabase(directory: directory)
        try sealer.recordCanary(in: database)
        return IdentityService(store: SQLiteIdentityStore(database: database, sealer: sealer))
    }
}
