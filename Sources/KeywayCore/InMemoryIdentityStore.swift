/// An ``IdentityStore`` held in memory, for fast tests.
public actor InMemoryIdentityStore: IdentityStore {
    private var accountList: [Account] = []
    private var usersByAccount: [AccountID: [String: IAMUser]] = [:]
    private var keys: [AccessKeyID: (key: AccessKey, secret: SecretAccessKey)] = [:]
    private var sshKeys: [SSHPublicKeyID: UserSSHPublicKey] = [:]

    public init() {}

    public func createAccount(_ account: Account, rootKey: AccessKey, secret: SecretAccessKey) {
        self.accountList.append(account)
        self.keys[rootKey.id] = (rootKey, secret)
    }

    public func accounts() -> [Account] { self.accountList }

    public func removeAll() {
        self.accountList.removeAll()
        self.usersByAccount.removeAll()
        self.keys.removeAll()
        self.sshKeys.removeAll()
    }

    public func insertUser(_ user: IAMUser, limit: Int) throws {
        var users = self.usersByAccount[user.account, default: [:]]
        guard users[user.name.lowercased()] == nil else { throw KeywayError(.userDuplicate, subject: user.name) }
        guard users.count < limit else { throw KeywayError(.userLimitExceeded, subject: String(limit)) }
        users[user.name.lowercased()] = user
        self.usersByAccount[user.account] = users
    }

    public func user(in account: AccountID, named name: String) -> IAMUser? {
        self.usersByAccount[account]?[name.lowercased()]
    }

    public func users(in account: AccountID, pathPrefix: String) -> [IAMUser] {
        (self.usersByAccount[account] ?? [:]).values.filter { $0.path.hasPrefix(pathPrefix) }.sorted {
            $0.name < $1.name
        }
    }

    public func updateUserTags(
        in account: AccountID,
        named name: String,
        _ change: @escaping @Sendable ([Tag]) throws -> [Tag]
    ) throws {
        guard let user = self.usersByAccount[account]?[name.lowercased()] else {
            throw KeywayError(.userNotFound, subject: name)
        }
        self.usersByAccount[account]?[name.lowercased()]?.tags = try change(user.tags)
    }

    public func deleteUser(in account: AccountID, named name: String) throws {
        guard let user = self.usersByAccount[account]?[name.lowercased()] else {
            throw KeywayError(.userNotFound, subject: name)
        }
        guard !self.keys.values.contains(where: { $0.key.account == account && $0.key.userName == user.name }) else {
            throw KeywayError(.deleteConflict, subject: name, detail: "access keys")
        }
        guard !self.sshKeys.values.contains(where: { $0.account == account && $0.userName == user.name }) else {
            throw KeywayError(.deleteConflict, subject: name, detail: "SSH public keys")
        }
        self.usersByAccount[account]?[name.lowercased()] = nil
    }

    public func insertAccessKey(_ key: AccessKey, secret: SecretAccessKey, limit: Int) throws {
        let owned = self.keys.values.filter { $0.key.account == key.account && $0.key.userName == key.userName }.count
        guard owned < limit else { throw KeywayError(.accessKeyLimitExceeded, subject: String(limit)) }
        self.keys[key.id] = (key, secret)
    }

    public func accessKeys(in account: AccountID, userName: String?) -> [AccessKey] {
        self.keys.values.map(\.key).filter { $0.account == account && $0.userName == userName }
            .sorted { ($0.createTime, $0.id) < ($1.createTime, $1.id) }
    }

    public func accessKey(id: AccessKeyID) -> (key: AccessKey, secret: SecretAccessKey)? { self.keys[id] }

    public func updateAccessKey(
        in account: AccountID,
        userName: String?,
        id: AccessKeyID,
        status: AccessKey.Status
    ) throws {
        guard let entry = self.keys[id], entry.key.account == account, entry.key.userName == userName else {
            throw KeywayError(.accessKeyNotFound, subject: id.rawValue)
        }
        self.keys[id]?.key.status = status
    }

    public func deleteAccessKey(in account: AccountID, userName: String?, id: AccessKeyID) throws {
        guard let entry = self.keys[id], entry.key.account == account, entry.key.userName == userName else {
            throw KeywayError(.accessKeyNotFound, subject: id.rawValue)
        }
        self.keys[id] = nil
    }

    public func recordUses(_ uses: [AccessKeyID: AccessKeyUse]) {
        for (id, use) in uses where self.keys[id] != nil {
            self.keys[id]?.key.lastUsed = use
        }
    }

    public func insertSSHPublicKey(_ key: UserSSHPublicKey, limit: Int) throws {
        let owned = self.sshKeys.values.filter { $0.account == key.account && $0.userName == key.userName }
        guard !owned.contains(where: { $0.fingerprint == key.fingerprint }) else {
            throw KeywayError(.duplicateSSHPublicKey, subject: key.userName)
        }
        guard owned.count < limit else { throw KeywayError(.sshPublicKeyLimitExceeded, subject: String(limit)) }
        self.sshKeys[key.id] = key
    }

    public func sshPublicKeys(in account: AccountID, userName: String) -> [UserSSHPublicKey] {
        self.sshKeys.values.filter { $0.account == account && $0.userName == userName }
            .sorted { ($0.uploadDate, $0.id) < ($1.uploadDate, $1.id) }
    }

    public func updateSSHPublicKey(
        in account: AccountID,
        userName: String,
        id: SSHPublicKeyID,
        status: AccessKey.Status
    ) throws {
        guard let key = self.sshKeys[id], key.account == account, key.userName == userName else {
            throw KeywayError(.sshPublicKeyNotFound, subject: id.rawValue)
        }
        self.sshKeys[id]?.status = status
    }

    public func deleteSSHPublicKey(in account: AccountID, userName: String, id: SSHPublicKeyID) throws {
        guard let key = self.sshKeys[id], key.account == account, key.userName == userName else {
            throw KeywayError(.sshPublicKeyNotFound, subject: id.rawValue)
        }
        self.sshKeys[id] = nil
    }
}
