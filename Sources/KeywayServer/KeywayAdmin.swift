import Foundation
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
        return StartupCredentials(account: account.id, accessKeyID: key.key.id.rawValue, secretAccessKey: key.secret.value, file: nil)
    }

    /// Adds a root access key to an account.
    public static func createRootKey(dataDirectory: URL, account: AccountID) async throws -> StartupCredentials {
        let key = try await Self.identity(dataDirectory).createRootAccessKey(account: account)
        return StartupCredentials(account: account, accessKeyID: key.key.id.rawValue, secretAccessKey: key.secret.value, file: nil)
    }

    /// Every account in the folder.
    public static func accounts(dataDirectory: URL) async throws -> [AccountID] {
        try await Self.identity(dataDirectory).store.accounts().map(\.id)
    }

    private static func identity(_ directory: URL) throws -> IdentityService {
        let database = try SQLiteDatabase(directory: directory)
        return IdentityService(store: SQLiteIdentityStore(database: database, sealer: try SecretSealer.load(directory: directory)))
    }
}
