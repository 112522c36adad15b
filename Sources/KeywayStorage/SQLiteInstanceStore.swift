import Foundation
import GRDB
import KeywayCore

/// The ``InstanceStore`` on the embedded SQLite database. An instance is one row: its scope and address as
/// columns (the address unique, allocated in the same transaction), the rest as a JSON record.
public struct SQLiteInstanceStore: InstanceStore {
    private let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func launchInstances(
        _ instances: [Instance],
        in scope: Scope,
        clientToken: String?,
        limit: Int
    ) async throws -> LaunchResult {
        try await self.database.pool.write { db in
            if let clientToken {
                let earlier = try Row.fetchAll(
                    db,
                    sql:
                        "SELECT * FROM instances WHERE account = ? AND region = ? AND json_extract(record_json, '$.clientToken') = ? ORDER BY launched_s, id",
                    arguments: [scope.account.rawValue, scope.region.rawValue, clientToken]
                ).map(Self.instance)
                if !earlier.isEmpty { return .existing(earlier) }
            }
            let active =
                try Int.fetchOne(
                    db,
                    sql:
                        "SELECT COUNT(*) FROM instances WHERE account = ? AND region = ? AND json_extract(record_json, '$.state') != 'terminated'",
                    arguments: [scope.account.rawValue, scope.region.rawValue]
                ) ?? 0
            try Instance.checkQuota(active: active, adding: instances.count, limit: limit)
            var next = (try Int.fetchOne(db, sql: "SELECT MAX(address_index) FROM instances") ?? -1) + 1
            var stored: [Instance] = []
            for var instance in instances {
                instance.privateIP = try Instance.loopbackAddress(index: next)
                try db.execute(
                    sql:
                        "INSERT INTO instances (id, account, region, address_index, private_ip, launched_s, record_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [
                        instance.id.rawValue, instance.scope.account.rawValue, instance.scope.region.rawValue, next,
                        instance.privateIP,
                        instance.launchTime.storedSeconds, try InstanceRecord(instance).json,
                    ]
                )
                next += 1
                stored.append(instance)
            }
            return .launched(stored)
        }
    }

    public func instances(in scope: Scope) async throws -> [Instance] {
        try await self.database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM instances WHERE account = ? AND region = ? ORDER BY launched_s, id",
                arguments: [scope.account.rawValue, scope.region.rawValue]
            ).map(Self.instance)
        }
    }

    public func instance(id: InstanceID) async throws -> Instance? {
        try await self.database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM instances WHERE id = ?", arguments: [id.rawValue]).map(
                Self.instance
            )
        }
    }

    public func allInstances() async throws -> [Instance] {
        try await self.database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM instances").map(Self.instance)
        }
    }

    public func instance(privateIP: String) async throws -> Instance? {
        try await self.database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM instances WHERE private_ip = ?", arguments: [privateIP]).map(
                Self.instance
            )
        }
    }

    public func updateInstances(
        ids: [InstanceID],
        in scope: Scope?,
        _ change: @Sendable (inout Instance) throws -> Void
    ) async throws -> [(before: Instance, after: Instance)] {
        try await self.database.pool.write { db in
            var changed: [(before: Instance, after: Instance)] = []
            for id in ids {
                let current =
                    try changed.last(where: { $0.after.id == id })?.after
                    ?? Row.fetchOne(db, sql: "SELECT * FROM instances WHERE id = ?", arguments: [id.rawValue]).map(
                        Self.instance
                    )
                guard let before = current, scope == nil || before.scope == scope else {
                    throw KeywayError(.instanceNotFound, subject: id.rawValue)
                }
                var after = before
                try change(&after)
                try db.execute(
                    sql: "UPDATE instances SET record_json = ? WHERE id = ?",
                    arguments: [try InstanceRecord(after).json, id.rawValue]
                )
                changed.append((before, after))
            }
            return changed
        }
    }

    public func removeAllInstances() async throws {
        try await self.database.pool.write { db in try db.execute(sql: "DELETE FROM instances") }
    }

    private static func instance(_ row: Row) throws -> Instance {
        let json: String = row["record_json"]
        guard let record = try? JSONDecoder().decode(InstanceRecord.self, from: Data(json.utf8)),
            let id = InstanceID(rawValue: row["id"]), let account = AccountID(rawValue: row["account"]),
            let region = Region(rawValue: row["region"]),
            let instance = record.instance(
                id: id,
                scope: Scope(account: account, region: region),
                privateIP: row["private_ip"]
            )
        else { throw KeywayStorageError(.corruptRow, reason: "instances row that does not decode") }
        return instance
    }
}

/// The JSON form of an instance's fields other than its ID, scope and address.
struct InstanceRecord: Codable {
    var reservationID: String
    var imageID: String
    var platform: String
    var instanceType: String
    var launchIndex: Int
    var keyName: String?
    var launchPublicKey: String?
    var state: String
    var launchTime: Double
    var clientToken: String?
    var tags: [[String]]
    var passwordData: String?
    var authorizedKeysOverride: [String]?

    init(_ instance: Instance) {
        self.reservationID = instance.reservationID
        self.imageID = instance.imageID
        self.platform = instance.platform.rawValue
        self.instanceType = instance.instanceType
        self.launchIndex = instance.launchIndex
        self.keyName = instance.keyName
        self.launchPublicKey = instance.launchPublicKey
        self.state = instance.state.rawValue
        self.launchTime = instance.launchTime.timeIntervalSince1970
        self.clientToken = instance.clientToken
        self.tags = instance.tags.map { [$0.key, $0.value] }
        self.passwordData = instance.passwordData
        self.authorizedKeysOverride = instance.authorizedKeysOverride
    }

    var json: String {
        get throws { String(decoding: try JSONEncoder().encode(self), as: UTF8.self) }
    }

    func instance(id: InstanceID, scope: Scope, privateIP: String) -> Instance? {
        guard let platform = Image.Platform(rawValue: self.platform), let state = Instance.State(rawValue: self.state)
        else { return nil }
        return Instance(
            id: id,
            scope: scope,
            reservationID: self.reservationID,
            imageID: self.imageID,
            platform: platform,
            instanceType: self.instanceType,
            launchIndex: self.launchIndex,
            keyName: self.keyName,
            launchPublicKey: self.launchPublicKey,
            state: state,
            launchTime: Date(timeIntervalSince1970: self.launchTime),
            privateIP: privateIP,
            clientToken: self.clientToken,
            tags: self.tags.compactMap { $0.count == 2 ? Tag(key: $0[0], value: $0[1]) : nil },
            passwordData: self.passwordData,
            authorizedKeysOverride: self.authorizedKeysOverride
        )
    }
}
