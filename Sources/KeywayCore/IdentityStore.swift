/// Persistence of accounts, IAM users and access keys.
///
/// Secrets are handed over in clear and must be kept encrypted at rest by the implementation. Uniqueness of user
/// names (regardless of case) and the limits are enforced atomically.
public protocol IdentityStore: Sendable {
    /// Stores a new account with its first root access key.
    func createAccount(_ account: Account, rootKey: AccessKey, secret: SecretAccessKey) async throws

    /// Every account, oldest first.
    func accounts() async throws -> [Account]

    /// Stores a new user. Throws ``KeywayError/Code/userDuplicate`` or ``KeywayError/Code/userLimitExceeded``.
    func insertUser(_ user: IAMUser, limit: Int) async throws

    /// The user with this name in the account, matched regardless of case.
    func user(in account: AccountID, named name: String) async throws -> IAMUser?

    /// The account's users whose path starts with `pathPrefix`, ordered by name.
    func users(in account: AccountID, pathPrefix: String) async throws -> [IAMUser]

    /// Deletes a user. Throws ``KeywayError/Code/userNotFound``, or ``KeywayError/Code/deleteConflict`` while
    /// the user still has access keys.
    func deleteUser(in account: AccountID, named name: String) async throws

    /// Stores a new access key and its secret. Throws ``KeywayError/Code/accessKeyLimitExceeded`` when the owner
    /// already has `limit` keys (root keys are not limited).
    func insertAccessKey(_ key: AccessKey, secret: SecretAccessKey, limit: Int) async throws

    /// The access keys of a user (nil: the root), oldest first.
    func accessKeys(in account: AccountID, userName: String?) async throws -> [AccessKey]

    /// An access key with its secret, by ID, across all accounts; for authentication.
    func accessKey(id: AccessKeyID) async throws -> (key: AccessKey, secret: SecretAccessKey)?

    /// Sets a key's status. Throws ``KeywayError/Code/accessKeyNotFound`` unless the key belongs to that owner.
    func updateAccessKey(in account: AccountID, userName: String?, id: AccessKeyID, status: AccessKey.Status) async throws

    /// Deletes a key. Throws ``KeywayError/Code/accessKeyNotFound`` unless the key belongs to that owner.
    func deleteAccessKey(in account: AccountID, userName: String?, id: AccessKeyID) async throws

    /// Records the latest use of several keys at once; keys deleted meanwhile are skipped.
    func recordUses(_ uses: [AccessKeyID: AccessKeyUse]) async throws

    /// Deletes everything (`--dev` mode's reset).
    func removeAll() async throws
}
