/// Persistence of accounts, IAM users and access keys.
///
/// Secrets are handed over in clear and must be kept encrypted at rest by the implementation. Uniqueness of user
/// names (regardless of case) and the limits are enforced atomically.
public protocol IdentityStore: Sendable {
    /// Stores a new account with its first root access key.
    func createAccount(_ account: Account, rootKey: AccessKey, secret: SecretAccessKey) async throws

    /// Every account, oldest first.
    func accounts() async throws -> [Account]

    /// Stores a new user with its tags. Throws ``KeywayError/Code/userDuplicate`` or
    /// ``KeywayError/Code/userLimitExceeded``.
    func insertUser(_ user: IAMUser, limit: Int) async throws

    /// The user with this name in the account, matched regardless of case, with its tags.
    func user(in account: AccountID, named name: String) async throws -> IAMUser?

    /// The account's users whose path starts with `pathPrefix`, ordered by name.
    func users(in account: AccountID, pathPrefix: String) async throws -> [IAMUser]

    /// Replaces a user's tags with what `change` makes of them, in one atomic step; throws
    /// ``KeywayError/Code/userNotFound``, or what `change` throws (and then changes nothing).
    func updateUserTags(
        in account: AccountID,
        named name: String,
        _ change: @escaping @Sendable ([Tag]) throws -> [Tag]
    ) async throws

    /// Deletes a user. Throws ``KeywayError/Code/userNotFound``, or ``KeywayError/Code/deleteConflict`` while
    /// the user still has access keys or SSH public keys.
    func deleteUser(in account: AccountID, named name: String) async throws

    /// Stores a new access key and its secret. Throws ``KeywayError/Code/accessKeyLimitExceeded`` when the owner
    /// (a user, or the root when the key has no user name) already has `limit` keys.
    func insertAccessKey(_ key: AccessKey, secret: SecretAccessKey, limit: Int) async throws

    /// The access keys of a user (nil: the root), oldest first.
    func accessKeys(in account: AccountID, userName: String?) async throws -> [AccessKey]

    /// An access key with its secret, by ID, across all accounts; for authentication.
    func accessKey(id: AccessKeyID) async throws -> (key: AccessKey, secret: SecretAccessKey)?

    /// Sets a key's status. Throws ``KeywayError/Code/accessKeyNotFound`` unless the key belongs to that owner.
    func updateAccessKey(
        in account: AccountID,
        userName: String?,
        id: AccessKeyID,
        status: AccessKey.Status
    ) async throws

    /// Deletes a key. Throws ``KeywayError/Code/accessKeyNotFound`` unless the key belongs to that owner.
    func deleteAccessKey(in account: AccountID, userName: String?, id: AccessKeyID) async throws

    /// Records the latest use of several keys at once; keys deleted meanwhile are skipped.
    func recordUses(_ uses: [AccessKeyID: AccessKeyUse]) async throws

    /// Stores a user's SSH public key. Throws ``KeywayError/Code/duplicateSSHPublicKey`` when the user has a key
    /// with the same fingerprint, ``KeywayError/Code/sshPublicKeyLimitExceeded`` at `limit`.
    func insertSSHPublicKey(_ key: UserSSHPublicKey, limit: Int) async throws

    /// A user's SSH public keys, oldest first.
    func sshPublicKeys(in account: AccountID, userName: String) async throws -> [UserSSHPublicKey]

    /// Sets an SSH key's status. Throws ``KeywayError/Code/sshPublicKeyNotFound``.
    func updateSSHPublicKey(
        in account: AccountID,
        userName: String,
        id: SSHPublicKeyID,
        status: AccessKey.Status
    ) async throws

    /// Deletes an SSH key. Throws ``KeywayError/Code/sshPublicKeyNotFound``.
    func deleteSSHPublicKey(in account: AccountID, userName: String, id: SSHPublicKeyID) async throws

    /// Deletes everything (`--dev` mode's reset).
    func removeAll() async throws
}
