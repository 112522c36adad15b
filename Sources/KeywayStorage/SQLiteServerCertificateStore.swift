import Foundation
import GRDB
import KeywayCore

/// The ``ServerCertificateStore`` on the embedded SQLite database; private keys are stored sealed by ``SecretSealer``.
public struct SQLiteServerCertificateStore: ServerCertificateStore {
    private let database: SQLiteDatabase
    private let sealer: SecretSealer

    public init(database: SQLiteDatabase, sealer: SecretSealer) {
        self.database = database
        self.sealer = sealer
    }

    public func insertCertificate(_ certificate: ServerCertificate, privateKey: String, limit: Int) async throws {
        let sealed = try self.sealer.seal(privateKey, id: certificate.id.rawValue)
        let tags = try Tag.storedJSON(certificate.tags)
        try await self.database.pool.write { db in
            let taken =
                try Bool.fetchOne(
                    db,
                    sql: "SELECT 1 FROM server_certificates WHERE account = ? AND name_folded = ?",
                    arguments: [certificate.account.rawValue, certificate.name.lowercased()]
                ) ?? false
            guard !taken else { throw KeywayError(.certificateDuplicate, subject: certificate.name) }
            let count =
                try Int.fetchOne(
                    db,
                    sql: "SELECT COUNT(*) FROM server_certificates WHERE account = ?",
                    arguments: [certificate.account.rawValue]
                ) ?? 0
            guard count < limit else { throw KeywayError(.certificateLimitExceeded, subject: String(limit)) }
            try db.execute(
                sql: """
                    INSERT INTO server_certificates
                    (account, name, name_folded, path, id, upload_s, expiration_s, body, chain, tags_json, private_key_sealed)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    certificate.account.rawValue, certificate.name, certificate.name.lowercased(), certificate.path,
                    certificate.id.rawValue, certificate.uploadDate.storedSeconds,
                    certificate.expiration.storedSeconds, certificate.body, certificate.chain,
                    tags, sealed,
                ]
            )
        }
    }

    public func certificate(in account: AccountID, named name: String) async throws -> ServerCertificate? {
        try await self.database.pool.read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT * FROM server_certificates WHERE account = ? AND name_folded = ?",
                arguments: [account.rawValue, name.lowercased()]
            ).map(Self.certificate)
        }
    }

    public func certificates(in account: AccountID, pathPrefix: String) async throws -> [ServerCertificate] {
        try await self.database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM server_certificates WHERE account = ? AND substr(path, 1, ?) = ? ORDER BY name",
                arguments: [account.rawValue, pathPrefix.count, pathPrefix]
            ).map(Self.certificate)
        }
    }

    public func updateCertificate(
        in account: AccountID,
        named name: String,
        newName: String?,
        newPath: String?
    ) async throws {
        try await self.database.pool.write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT name, path FROM server_certificates WHERE account = ? AND name_folded = ?",
                    arguments: [account.rawValue, name.lowercased()]
                )
            else { throw KeywayError(.certificateNotFound, subject: name) }
            let targetName = newName ?? (row["name"] as String)
            if targetName.lowercased() != name.lowercased() {
                let taken =
                    try Bool.fetchOne(
                        db,
                        sql: "SELECT 1 FROM server_certificates WHERE account = ? AND name_folded = ?",
                        arguments: [account.rawValue, targetName.lowercased()]
                    ) ?? false
                guard !taken else { throw KeywayError(.certificateDuplicate, subject: targetName) }
            }
            try db.execute(
                sql:
                    "UPDATE server_certificates SET name = ?, name_folded = ?, path = ? WHERE account = ? AND name_folded = ?",
                arguments: [
                    targetName, targetName.lowercased(), newPath ?? (row["path"] as String), account.rawValue,
                    name.lowercased(),
                ]
            )
        }
    }

    public func deleteCertificate(in account: AccountID, named name: String) async throws {
        try await self.database.pool.write { db in
            try db.execute(
                sql: "DELETE FROM server_certificates WHERE account = ? AND name_folded = ?",
                arguments: [account.rawValue, name.lowercased()]
            )
            guard db.changesCount == 1 else { throw KeywayError(.certificateNotFound, subject: name) }
        }
    }

    public func removeAllCertificates() async throws {
        try await self.database.pool.write { db in try db.execute(sql: "DELETE FROM server_certificates") }
    }

    private static func certificate(_ row: Row) throws -> ServerCertificate {
        guard let account = AccountID(rawValue: row["account"]), let id = ServerCertificateID(rawValue: row["id"]),
            let tags = Tag.fromStoredJSON(row["tags_json"])
        else {
            throw KeywayStorageError(.corruptRow, reason: "server_certificates row with an invalid account, id or tags")
        }
        return ServerCertificate(
            account: account,
            name: row["name"],
            path: row["path"],
            id: id,
            uploadDate: Date(timeIntervalSince1970: Double(row["upload_s"] as Int64)),
            expiration: Date(timeIntervalSince1970: Double(row["expiration_s"] as Int64)),
            body: row["body"],
            chain: row["chain"],
            tags: tags
        )
    }
}
