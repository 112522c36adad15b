import Foundation

/// Accounts, IAM users and access keys: the life cycle of credentials, and who may do what with them.
///
/// Until policies exist the rule is simple: an account's root may do everything in its account; an IAM user may
/// manage its own access keys and ask who it is, and nothing else.
public struct IdentityService: Sendable {
    /// Time and identifiers, injectable so tests can pin them.
    public struct Environment: Sendable {
        public var now: @Sendable () -> Date
        public var newAccountID: @Sendable () -> AccountID
        public var newAccessKeyID: @Sendable () -> AccessKeyID
        public var newSecret: @Sendable () -> SecretAccessKey
        public var newUserID: @Sendable () -> UserID

        public init(
            now: @escaping @Sendable () -> Date,
            newAccountID: @escaping @Sendable () -> AccountID,
            newAccessKeyID: @escaping @Sendable () -> AccessKeyID,
            newSecret: @escaping @Sendable () -> SecretAccessKey,
            newUserID: @escaping @Sendable () -> UserID
        ) {
            self.now = now
            self.newAccountID = newAccountID
            self.newAccessKeyID = newAccessKeyID
            self.newSecret = newSecret
            self.newUserID = newUserID
        }

        /// The system clock and the system's cryptographically secure random number generator.
        public static let live = Environment(
            now: { Date() },
            newAccountID: {
                var generator = SystemRandomNumberGenerator()
                return AccountID.random(using: &generator)
            },
            newAccessKeyID: {
                var generator = SystemRandomNumberGenerator()
                return AccessKeyID.random(using: &generator)
            },
            newSecret: {
                var generator = SystemRandomNumberGenerator()
                return SecretAccessKey.random(using: &generator)
            },
            newUserID: {
                var generator = SystemRandomNumberGenerator()
                return UserID.random(using: &generator)
            }
        )
    }

    /// A new access key with its secret, which is shown to its owner only this once.
    public struct IssuedKey: Sendable {
        public let key: AccessKey
        public let secret: SecretAccessKey
    }

    /// A page of a list call (IAM's `Marker`/`MaxItems`).
    public struct Page<Element: Sendable>: Sendable {
        public let items: [Element]
        /// The marker to continue from, when more items follow.
        public let marker: String?
    }

    public let store: any IdentityStore
    public let environment: Environment
    private let cache = CredentialCache()

    public init(store: any IdentityStore, environment: Environment = .live) {
        self.store = store
        self.environment = environment
    }

    // MARK: - Accounts

    /// Creates an account with a root access key.
    public func createAccount(id: AccountID? = nil) async throws -> (account: Account, rootKey: IssuedKey) {
        let now = self.environment.now().truncatedToSeconds
        let account = Account(id: id ?? self.environment.newAccountID(), createTime: now)
        let key = AccessKey(
            id: self.environment.newAccessKeyID(),
            account: account.id,
            userName: nil,
            status: .active,
            createTime: now,
            lastUsed: nil
        )
        let secret = self.environment.newSecret()
        self.cache.keyIssued()
        try await self.store.createAccount(account, rootKey: key, secret: secret)
        self.cache.keyIssued()
        return (account, IssuedKey(key: key, secret: secret))
    }

    /// Creates the first account and its root key when the store holds none; nil when accounts exist.
    public func bootstrap() async throws -> (account: Account, rootKey: IssuedKey)? {
        guard try await self.store.accounts().isEmpty else { return nil }
        return try await self.createAccount()
    }

    /// Adds a root access key to an existing account (for `keyway admin`).
    public func createRootAccessKey(account: AccountID) async throws -> IssuedKey {
        guard try await self.store.accounts().contains(where: { $0.id == account }) else {
            throw KeywayError(.invalidParameterValue, subject: "account", detail: "No account \(account) exists.")
        }
        // Keyway's own recovery tool, not IAM's API: it may add a key beyond the two the API allows.
        return try await self.issueKey(account: account, userName: nil, limit: .max)
    }

    /// Deletes every account, user and key (`--dev` mode's reset).
    public func removeAll() async throws {
        try await self.store.removeAll()
        self.cache.removeAll()
    }

    // MARK: - Authentication

    /// The principal and secret behind an access key, if the key exists and is active.
    public func credentials(for id: AccessKeyID) async throws -> (principal: Principal, secret: SecretAccessKey)? {
        if let cached = self.cache.get(id) { return cached }
        // `--dev` mode's dummy keys: known absent, so no database read per request.
        if self.cache.isKnownNotIssued(id) { return nil }
        let generation = self.cache.generation
        guard let (key, secret) = try await self.store.accessKey(id: id), key.status == .active else { return nil }
        var user: IAMUser?
        if let name = key.userName {
            guard let found = try await self.store.user(in: key.account, named: name) else { return nil }
            user = found
        }
        let credentials = (Principal(account: key.account, user: user, accessKeyID: id), secret)
        self.cache.set(id, credentials, ifGeneration: generation)
        return credentials
    }

    /// Whether Keyway issued this access key, active or not; `--dev` mode lets only keys it never issued act as root.
    public func isIssued(_ id: AccessKeyID) async throws -> Bool {
        if self.cache.get(id) != nil { return true }
        if self.cache.isKnownNotIssued(id) { return false }
        let generation = self.cache.generation
        let issued = try await self.store.accessKey(id: id) != nil
        if !issued { self.cache.markNotIssued(id, ifGeneration: generation) }
        return issued
    }

    // MARK: - Authorization

    /// The IAM actions a user may call on its own user without any policy.
    public static let selfServiceActions: Set<String> = [
        "iam:CreateAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey", "iam:DeleteAccessKey",
        "iam:GetAccessKeyLastUsed", "sts:GetCallerIdentity",
    ]

    /// Allows the root everything in its account; a user only the self-service actions on its own user.
    ///
    /// - Parameters:
    ///   - action: `service:Action`, such as `ec2:DescribeKeyPairs`.
    ///   - resource: the ARN acted on, for the error message.
    ///   - ownUser: whether the action targets the caller's own user.
    public static func authorize(
        _ principal: Principal,
        action: String,
        resource: String,
        ownUser: Bool = false
    ) throws(KeywayError) {
        guard
            principal.isRoot || (ownUser && Self.selfServiceActions.contains(action))
                || action == "sts:GetCallerIdentity"
        else {
            throw KeywayError(.accessDenied, subject: action, detail: resource)
        }
    }

    // MARK: - Users

    /// Creates a user, with tags if given (IAM's user tag rules: `Tag+IAM.swift`).
    public func createUser(
        by principal: Principal,
        name: String,
        path: String?,
        tags: [Tag] = []
    ) async throws -> IAMUser {
        try IAMUser.validateName(name)
        let path = path ?? "/"
        try IAMUser.validatePath(path)
        try Self.validateUserTags(tags)
        let user = IAMUser(
            account: principal.account,
            name: name,
            path: path,
            id: self.environment.newUserID(),
            createTime: self.environment.now().truncatedToSeconds,
            tags: Tag.mergingIAMUserTags(tags, into: [])
        )
        try Self.authorize(principal, action: "iam:CreateUser", resource: user.arn)
        try await self.store.insertUser(user, limit: IAMUser.limitPerAccount)
        return user
    }

    /// The named user, or with no name the caller's own user (nil for the root, which is not an IAM user).
    public func getUser(by principal: Principal, name: String?) async throws -> IAMUser? {
        guard let name else {
            if let user = principal.user {
                try Self.authorize(principal, action: "iam:GetUser", resource: user.arn)
            }
            return principal.user
        }
        try Self.authorize(principal, action: "iam:GetUser", resource: self.userARN(principal.account, name))
        guard let user = try await self.store.user(in: principal.account, named: name) else {
            throw KeywayError(.userNotFound, subject: name)
        }
        return user
    }

    public func listUsers(
        by principal: Principal,
        pathPrefix: String?,
        marker: String?,
        maxItems: Int?
    ) async throws -> Page<IAMUser> {
        if let pathPrefix { try IAMUser.validatePathPrefix(pathPrefix) }
        try Self.authorize(
            principal,
            action: "iam:ListUsers",
            resource: "arn:aws:iam::\(principal.account.rawValue):user/"
        )
        let users = try await self.store.users(in: principal.account, pathPrefix: pathPrefix ?? "/")
        return try Self.page(users, marker: marker, maxItems: maxItems, key: \.name)
    }

    public func deleteUser(by principal: Principal, name: String) async throws {
        try Self.authorize(principal, action: "iam:DeleteUser", resource: self.userARN(principal.account, name))
        try await self.store.deleteUser(in: principal.account, named: name)
        self.cache.removeAll(account: principal.account, userName: name)
    }

    // MARK: - Access keys

    /// Creates an access key for the named user, or for the caller when no name is given: without `UserName` the
    /// root creates a key of its own (API_CreateAccessKey). The root, like a user, may have two keys
    /// (id_root-user_manage_add-key: "You can assign up to two access keys to the root user").
    public func createAccessKey(by principal: Principal, userName: String?) async throws -> IssuedKey {
        let owner = try await self.owner(principal, userName: userName, action: "iam:CreateAccessKey")
        return try await self.issueKey(account: principal.account, userName: owner, limit: AccessKey.limitPerUser)
    }

    public func listAccessKeys(
        by principal: Principal,
        userName: String?,
        marker: String?,
        maxItems: Int?
    ) async throws -> Page<AccessKey> {
        let owner = try await self.owner(principal, userName: userName, action: "iam:ListAccessKeys")
        let keys = try await self.store.accessKeys(in: principal.account, userName: owner)
        return try Self.page(keys, marker: marker, maxItems: maxItems, key: \.id.rawValue)
    }

    public func updateAccessKey(
        by principal: Principal,
        userName: String?,
        id: String,
        status: AccessKey.Status
    ) async throws {
        let owner = try await self.owner(principal, userName: userName, action: "iam:UpdateAccessKey")
        guard let keyID = AccessKeyID(rawValue: id) else { throw KeywayError(.accessKeyNotFound, subject: id) }
        try await self.store.updateAccessKey(in: principal.account, userName: owner, id: keyID, status: status)
        self.cache.remove(keyID)
    }

    /// Deletes a key of the named user, or without a name one of the caller's own: the root deletes its own keys
    /// (API_DeleteAccessKey: "you can use this operation to manage Amazon Web Services account root user
    /// credentials"). AWS refuses a missing `UserName` with `ValidationError` "Must specify userName when calling
    /// with non-User credentials" only for temporary credentials, which Keyway does not issue yet.
    public func deleteAccessKey(by principal: Principal, userName: String?, id: String) async throws {
        let owner = try await self.owner(principal, userName: userName, action: "iam:DeleteAccessKey")
        guard let keyID = AccessKeyID(rawValue: id) else { throw KeywayError(.accessKeyNotFound, subject: id) }
        try await self.store.deleteAccessKey(in: principal.account, userName: owner, id: keyID)
        self.cache.remove(keyID)
    }

    /// The owner and last use of a key. A key that does not exist, or that the caller may not see, is refused as
    /// access denied (AWS does not say which).
    public func accessKeyLastUsed(
        by principal: Principal,
        id: String
    ) async throws -> (userName: String?, lastUsed: AccessKeyUse?) {
        let denied = KeywayError(
            .accessDenied,
            subject: "iam:GetAccessKeyLastUsed",
            detail: "access key \(id.prefix(128))"
        )
        guard let keyID = AccessKeyID(rawValue: id), let (key, _) = try await self.store.accessKey(id: keyID),
            key.account == principal.account
        else { throw denied }
        guard principal.isRoot || (key.userName != nil && key.userName == principal.user?.name) else { throw denied }
        return (key.userName, key.lastUsed)
    }

    /// Records authenticated uses of keys; called in batches, not per request.
    public func recordUses(_ uses: [AccessKeyID: AccessKeyUse]) async throws {
        guard !uses.isEmpty else { return }
        try await self.store.recordUses(uses)
    }

    // MARK: - Helpers

    /// Issues a key unless its owner (a user, or the root when `userName` is nil) already has `limit` keys.
    private func issueKey(account: AccountID, userName: String?, limit: Int) async throws -> IssuedKey {
        let key = AccessKey(
            id: self.environment.newAccessKeyID(),
            account: account,
            userName: userName,
            status: .active,
            createTime: self.environment.now().truncatedToSeconds,
            lastUsed: nil
        )
        let secret = self.environment.newSecret()
        self.cache.keyIssued()
        try await self.store.insertAccessKey(key, secret: secret, limit: limit)
        self.cache.keyIssued()
        return IssuedKey(key: key, secret: secret)
    }

    /// Resolves whose keys an access-key action is about (nil: the root's), checking that the caller may act and
    /// that a named user exists. Without a name IAM acts on the caller: the root's own keys, or a user's own
    /// (API_ListAccessKeys, API_UpdateAccessKey: "the user name is determined implicitly based on the Amazon Web
    /// Services access key ID used to sign the request").
    private func owner(_ principal: Principal, userName: String?, action: String) async throws -> String? {
        guard let userName else {
            let resource = principal.arn
            try Self.authorize(principal, action: action, resource: resource, ownUser: true)
            return principal.user?.name
        }
        let own = principal.user.map { $0.name.lowercased() == userName.lowercased() } ?? false
        try Self.authorize(principal, action: action, resource: self.userARN(principal.account, userName), ownUser: own)
        guard let user = try await self.store.user(in: principal.account, named: userName) else {
            throw KeywayError(.userNotFound, subject: userName)
        }
        return user.name
    }

    func userARN(_ account: AccountID, _ name: String) -> String {
        "arn:aws:iam::\(account.rawValue):user/\(name)"
    }

    static func page<T>(
        _ items: [T],
        marker: String?,
        maxItems: Int?,
        key: KeyPath<T, String>
    ) throws(KeywayError) -> Page<T> {
        let limit = maxItems ?? 100
        guard (1...1000).contains(limit) else {
            throw KeywayError(
                .invalidParameterValue,
                subject: "MaxItems",
                detail: limit < 1
                    ? "must have value greater than or equal to 1" : "must have value less than or equal to 1000"
            )
        }
        var remaining = items[...]
        if let marker {
            guard let after = try? PageToken.decode(marker, fields: 1, parameter: "Marker")[0] else {
                throw KeywayError(.invalidMarker, subject: "Marker")
            }
            // Continue after the item the marker names; if it is gone, after where it would be.
            if let index = remaining.firstIndex(where: { $0[keyPath: key] == after }) {
                remaining = remaining[(index + 1)...]
            } else {
                remaining = remaining.drop { $0[keyPath: key] <= after }
            }
        }
        guard remaining.count > limit else { return Page(items: Array(remaining), marker: nil) }
        let page = Array(remaining.prefix(limit))
        return Page(items: page, marker: PageToken.encode([page[page.count - 1][keyPath: key]]))
    }

}

extension Date {
    /// The same instant cut to whole seconds, as IAM reports dates.
    public var truncatedToSeconds: Date { Date(timeIntervalSince1970: self.timeIntervalSince1970.rounded(.down)) }
}
