import Foundation
import GRDB
import KeywayCore

/// The ``IdentityStore`` on the embedded SQLite database; access key secrets are stored sealed by ``SecretSealer``.
public struct SQLiteIdentityStore: IdentityStore {
    private let database: SQLiteDatabase
    private let sealer: SecretSealer

    public init(database: SQLiteDatabase, sealer: SecretSealer) {
        self.database = database
        self.sealer = sealer
    }

    public func createAccount(_ account: Account, rootKey: AccessKey, secret: SecretAccessKey) async throws {
        let sealed = try self.sealer.seal(secret.value, id: rootKey.id.rawValue)
        try await self.database.pool.write { db in
            try db.execute(
                sql: "INSERT INTO accounts (id, created_s) VALUES (?, ?)",
                arguments: [account.id.rawValue, Self.seconds(account.createTime)]
            )
            try Self.insert(rootKey, sealed: sealed, db: db)
        }
    }

    public func removeAll() async throws {
        try await self.database.pool.write { db in
            try db.execute(
                sql: "DELETE FROM ssh_public_keys; DELETE FROM access_keys; DELETE FROM users; DELETE FROM accounts"
            )
        }
    }

    public func accounts() async throws -> [Account] {
        try await self.database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, created_s FROM accounts ORDER BY created_s, id").map { row in
                guard let id = AccountID(rawValue: row["id"]) else {
                    throw KeywayStorageError(.corruptRow, reason: "accounts row with an invalid id")
                }
                return Account(id: id, createTime: Date(timeIntervalSince1970: Double(row["created_s"] as Int64)))
            }
        }
    }

    public func insertUser(_ user: IAMUser, limit: Int) async throws {
        let tags = try Tag.storedJSON(user.tags)
        try await self.database.pool.write { db in
            let count =
                try Int.fetchOne(
                    db,
                    sql: "SELECT COUNT(*) FROM users WHERE account = ?",
                    arguments: [user.account.rawValue]
                ) ?? 0
            guard count < limit else { throw KeywayError(.userLimitExceeded, subject: String(limit)) }
            do {
                try db.execute(
                    sql: """
                        INSERT INTO users (account, name, name_folded, path, id, created_s, tags_json)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        user.account.rawValue, user.name, user.name.lowercased(), user.path, user.id.rawValue,
                        Self.seconds(user.createTime), tags,
                    ]
                )
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw KeywayError(.userDuplicate, subject: user.name)
            }
        }
    }

    public func user(in account: AccountID, named name: String) async throws -> IAMUser? {
        try await self.database.pool.read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT * FROM users WHERE account = ? AND name_folded = ?",
                arguments: [account.rawValue, name.lowercased()]
            ).map(Self.user)
        }
    }

    public func users(in account: AccountID, pathPrefix: String) async throws -> [IAMUser] {
        try await self.database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM users WHERE account = ? AND substr(path, 1, ?) = ? ORDER BY name",
                arguments: [account.rawValue, pathPrefix.count, pathPrefix]
            ).map(Self.user)
        }
    }

    public func updateUserTags(
        in account: AccountID,
        named name: String,
        _ change: @escaping @Sendable ([Tag]) throws -> [Tag]
    ) async throws {
        try await self.database.pool.write { db in
            guard
                let text = try String.fetchOne(
                    db,
                    sql: "SELECT tags_json FROM users WHERE account = ? AND name_folded = ?",
                    arguments: [account.rawValue, name.lowercased()]
                )
            else { throw KeywayError(.userNotFound, subject: name) }
            guard let tags = Tag.fromStoredJSON(text) else {
                throw KeywayStorageError(.corruptRow, reason: "users row with invalid tags")
            }
            try db.execute(
                sql: "UPDATE users SET tags_json = ? WHERE account = ? AND name_folded = ?",
                arguments: [try Tag.storedJSON(try change(tags)), account.rawValue, name.lowercased()]
            )
        }
    }

    public func deleteUser(in account: AccountID, named name: String) async throws {
        try await self.database.pool.write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT name FROM users WHERE account = ? AND name_folded = ?",
                    arguments: [account.rawValue, name.lowercased()]
                )
            else { throw KeywayError(.userNotFound, subject: name) }
            let storedName: String = row["name"]
            let keys =
                try Int.fetchOne(
                    db,
                    sql: "SELECT COUNT(*) FROM access_keys WHERE account = ? AND user_name = ?",
                    arguments: [account.rawValue, storedName]
                ) ?? 0
            guard keys == 0 else { throw KeywayError(.deleteConflict, subject: storedName, detail: "access keys") }
            let sshKeys =
                try Int.fetchOne(
                    db,
                    sql: "SELECT COUNT(*) FROM ssh_public_keys WHERE account = ? AND user_name = ?",
                    arguments: [account.rawValue, storedName]
                ) ?? 0
            guard sshKeys == 0 else {
                throw KeywayError(.deleteConflict, subject: storedName, detail: "SSH public keys")
            }
            try db.execute(
                sql: "DELETE FROM users WHERE account = ? AND name_folded = ?",
                arguments: [account.rawValue, name.lowercased()]
            )
        }
    }

    public func insertAccessKey(_ key: AccessKey, secret: SecretAccessKey, limit: Int) async throws {
        let sealed = try self.sealer.seal(secret.value, id: key.id.rawValue)
        try await self.database.pool.write { db in
            let count =
                try Int.fetchOne(
                    db,
                    sql: "SELECT COUNT(*) FROM access_keys WHERE account = ? AND user_name IS ?",
                    arguments: [key.account.rawValue, key.userName]
                ) ?? 0
            guard count < limit else { throw KeywayError(.accessKeyLimitExceeded, subject: String(limit)) }
            try Self.insert(key, sealed: sealed, db: db)
        }
    }

    public func accessKeys(in account: AccountID, userName: String?) async throws -> [AccessKey] {
        try await self.database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM access_keys WHERE account = ? AND user_name IS ? ORDER BY created_s, id",
                arguments: [account.rawValue, userName]
            ).map(Self.accessKey)
        }
    }

    public func accessKey(id: AccessKeyID) async throws -> (key: AccessKey, secret: SecretAccessKey)? {
        let row = try await self.database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM access_keys WHERE id = ?", arguments: [id.rawValue])
        }
        guard let row else { return nil }
        let sealed: Data = row["secret_sealed"]
        return (try Self.accessKey(row), SecretAccessKey(value: try self.sealer.open(sealed, id: id.rawValue)))
    }

    public func updateAccessKey(
        in account: AccountID,
        userName: String?,
        id: AccessKeyID,
        status: AccessKey.Status
    ) async throws {
        try await self.database.pool.write { db in
            try db.execute(
                sql: "UPDATE access_keys SET status = ? WHERE id = ? AND account = ? AND user_name IS ?",
                arguments: [status.rawValue, id.rawValue, account.rawValue, userName]
            )
            guard db.changesCount == 1 else { throw KeywayError(.accessKeyNotFound, subject: id.rawValue) }
        }
    }

    public func deleteAccessKey(in account: AccountID, userName: String?, id: AccessKeyID) async throws {
        try await self.database.pool.write { db in
            try db.execute(
                sql: "DELETE FROM access_keys WHERE id = ? AND account = ? AND user_name IS ?",
                arguments: [id.rawValue, account.rawValue, userName]
            )
            guard db.changesCount == 1 else { throw KeywayError(.accessKeyNotFound, subject: id.rawValue) }
        }
    }

    public func recordUses(_ uses: [AccessKeyID: AccessKeyUse]) async throws {
        try await self.database.pool.write { db in
            for (id, use) in uses {
                try db.execute(
                    sql:
                        "UPDATE access_keys SET last_used_s = ?, last_used_service = ?, last_used_region = ? WHERE id = ?",
                    arguments: [Self.seconds(use.date), use.service, use.region, id.rawValue]
                )
            }
        }
    }

    public func insertSSHPublicKey(_ key: UserSSHPublicKey, limit: Int) async throws {
        try await self.database.pool.write { db in
            let owned = try String.fetchAll(
                db,
                sql: "SELECT fingerprint FROM ssh_public_keys WHERE account = ? AND user_name = ?",
                arguments: [key.account.rawValue, key.userName]
            )
            guard !owned.contains(key.fingerprint) else {
                throw KeywayError(.duplicateSSHPublicKey, subject: key.userName)
            }
            guard owned.count < limit else { throw KeywayError(.sshPublicKeyLimitExceeded, subject: String(limit)) }
            try db.execute(
                sql: """
                    INSERT INTO ssh_public_keys (id, account, user_name, body, fingerprint, status, upload_s)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    key.id.rawValue, key.account.rawValue, key.userName, key.body, key.fingerprint, key.status.rawValue,
                    Self.seconds(key.uploadDate),
                ]
            )
        }
    }

    public func sshPublicKeys(in account: AccountID, userName: String) async throws -> [UserSSHPublicKey] {
        try await self.database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM ssh_public_keys WHERE account = ? AND user_name = ? ORDER BY upload_s, id",
                arguments: [account.rawValue, userName]
            ).map { row in
                guard let id = SSHPublicKeyID(rawValue: row["id"]),
                    let status = AccessKey.Status(rawValue: row["status"])
                else {
                    throw KeywayStorageError(.corruptRow, reason: "ssh_public_keys row with an invalid id or status")
                }
                return UserSSHPublicKey(
                    account: account,
                    userName: row["user_name"],
                    id: id,
                    body: row["body"],
                    fingerprint: row["fingerprint"],
                    status: status,
                    uploadDate: Date(timeIntervalSince1970: Double(row["upload_s"] as Int64))
                )
            }
        }
    }

    public func updateSSHPublicKey(
        in account: AccountID,
        userName: String,
        id: SSHPublicKeyID,
        status: AccessKey.Status
    ) async throws {
        try await self.database.pool.write { db in
            try db.execute(
                sql: "UPDATE ssh_public_keys SET status = ? WHERE id = ? AND account = ? AND user_name = ?",
                arguments: [status.rawValue, id.rawValue, account.rawValue, userName]
            )
            guard db.changesCount == 1 else { throw KeywayError(.sshPublicKeyNotFound, subject: id.rawValue) }
        }
    }

    public func deleteSSHPublicKey(in account: AccountID, userName: String, id: SSHPublicKeyID) async throws {
        try await self.database.pool.write { db in
            try db.execute(
                sql: "DELETE FROM ssh_public_keys WHERE id = ? AND account = ? AND user_name = ?",
                arguments: [id.rawValue, account.rawValue, userName]
            )
            guard db.changesCount == 1 else { throw KeywayError(.sshPublicKeyNotFound, subject: id.rawValue) }
        }
    }

    private static func insert(_ key: AccessKey, sealed: Data, db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO access_keys (id, account, user_name, status, created_s, secret_sealed)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                key.id.rawValue, key.account.rawValue, key.userName, key.status.rawValue, Self.seconds(key.createTime),
                sealed,
            ]
        )
    }

    private static func seconds(_ date: Date) -> Int64 { date.storedSeconds }

    private static func user(_ row: Row) throws -> IAMUser {
        guard let account = AccountID(rawValue: row["account"]), let id = UserID(rawValue: row["id"]),
            let tags = Tag.fromStoredJSON(row["tags_json"])
        else { throw KeywayStorageError(.corruptRow, reason: "users row with an invalid account, id or tags") }
        return IAMUser(
            account: account,
            name: row["name"],
            path: row["path"],
            id: id,
            createTime: Date(timeIntervalSince1970: Double(row["created_s"] as Int64)),
            tags: tags
        )
    }

    private static func accessKey(_ row: Row) throws -> AccessKey {
        guard let id = AccessKeyID(rawValue: row["id"]), let account = AccountID(rawValue: row["account"]),
            let status = AccessKey.Status(rawValue: row["status"])
        else { throw KeywayStorageError(.corruptRow, reason: "access_keys row with an invalid id, account or status") }
        var lastUsed: AccessKeyUse?
        if let seconds = row["last_used_s"] as Int64?, let service = row["last_used_service"] as String?,
            let region = row["last_used_region"] as String?
        {
            lastUsed = AccessKeyUse(
                date: Date(timeIntervalSince1970: Double(seconds)),
                service: service,
                region: region
            )
        }
        return AccessKey(
            id: id,
            account: account,
            userName: row["user_name"],
            status: status,
            createTime: Date(timeIntervalSince1970: Double(row["created_s"] as Int64)),
            lastUsed: lastUsed
        )
    }
}
