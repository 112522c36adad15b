import Foundation
import GRDB

/// The embedded SQLite database under a data folder: one `keyway.sqlite` file in WAL mode, migrated on open.
///
/// Writes are serialized by GRDB and committed with `synchronous = FULL`, so a write that returned has been
/// fsynced and survives a crash or `kill -9`. Reads run concurrently beside the writer.
public struct SQLiteDatabase: Sendable {
    let pool: DatabasePool
    /// The database file's path.
    let path: String
    /// A connection of its own for WAL checkpoints, when they run in the background (see ``checkpoint()``).
    private let checkpointer: DatabaseQueue?

    /// The file name inside the data folder.
    public static let fileName = "keyway.sqlite"

    /// Opens (creating if needed) the database in `directory` and applies any migrations it lacks.
    ///
    /// With `backgroundCheckpoints`, the caller runs ``checkpoint()`` every few tens of milliseconds: WAL frames are
    /// then copied into the database file on a connection of their own, beside the writer, instead of by the commit
    /// that happens to cross SQLite's 1,000-page threshold (that commit's writes, and every write queued behind it,
    /// waited for the copy and the database file's fsync). The writer still checkpoints at 8,000 pages, which then
    /// finds nearly everything copied, so the WAL stays bounded even if background checkpoints fall behind.
    public init(directory: URL, backgroundCheckpoints: Bool = false) throws {
        do {
            try FileManager.default.createDirectory(
                at: directory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw KeywayStorageError(.cannotOpen, reason: "cannot create \(directory.path): \(error)")
        }
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // FULL: the WAL is fsynced at every commit, so an acknowledged write is on disk.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            if backgroundCheckpoints { try db.execute(sql: "PRAGMA wal_autocheckpoint = 8000") }
        }
        configuration.busyMode = .timeout(10)
        let path = directory.appendingPathComponent(Self.fileName).path
        self.path = path
        do {
            self.pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw KeywayStorageError(.cannotOpen, reason: "cannot open the database in \(directory.path): \(error)")
        }
        try Self.migrator.migrate(self.pool)
        if backgroundCheckpoints {
            var checkpointing = Configuration()
            checkpointing.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            do {
                self.checkpointer = try DatabaseQueue(path: path, configuration: checkpointing)
            } catch {
                throw KeywayStorageError(.cannotOpen, reason: "cannot open the database in \(directory.path): \(error)")
            }
        } else {
            self.checkpointer = nil
        }
    }

    /// Copies committed WAL frames into the database file without waiting for readers or the writer (a `PASSIVE`
    /// checkpoint) on the checkpoint connection; does nothing unless opened with `backgroundCheckpoints`. Returns the
    /// frames in the WAL and how many of them are now in the database file, or nil when SQLite is busy with another
    /// checkpoint or a WAL restart just then (the next call will do the work).
    @discardableResult
    public func checkpoint() async throws -> (walFrames: Int, checkpointed: Int)? {
        guard let checkpointer else { return (0, 0) }
        do {
            return try await checkpointer.writeWithoutTransaction { db in
                let result = try db.checkpoint(.passive)
                return (result.walFrameCount, result.checkpointedFrameCount)
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
        {
            return nil
        }
    }

    /// Copies the whole WAL into the database file and closes every connection, at shutdown: SQLite then removes
    /// the `-wal` and `-shm` files, and the folder holds the database alone (so a later start that is refused reads
    /// it without touching anything). Requests still running afterwards fail as internal errors.
    public func close() throws {
        _ = try? self.pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        try self.checkpointer?.close()
        try self.pool.close()
        // GRDB closes the pool's writer before its read-only readers, and a read-only connection closing last leaves
        // the WAL behind; a read-write connection opened and closed now is the last, and SQLite removes both files.
        try DatabaseQueue(path: self.path).close()
    }

    /// The schema's history. Migrations are append-only: never edit or reorder one that has shipped; add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("0001-key-pairs") { db in
            try db.execute(
                sql: """
                    CREATE TABLE key_pairs (
                        id TEXT PRIMARY KEY NOT NULL,
                        account TEXT NOT NULL,
                        region TEXT NOT NULL,
                        name TEXT NOT NULL,
                        key_type TEXT NOT NULL,
                        fingerprint TEXT NOT NULL,
                        public_key TEXT NOT NULL,
                        created_ms INTEGER NOT NULL,
                        UNIQUE (account, region, name)
                    ) STRICT;
                    CREATE TABLE tags (
                        resource_id TEXT NOT NULL,
                        account TEXT NOT NULL,
                        region TEXT NOT NULL,
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        position INTEGER NOT NULL,
                        PRIMARY KEY (resource_id, key)
                    ) STRICT;
                    CREATE INDEX tags_by_scope ON tags (account, region);
                    """
            )
        }
        migrator.registerMigration("0002-identity") { db in
            try db.execute(
                sql: """
                    CREATE TABLE accounts (
                        id TEXT PRIMARY KEY NOT NULL,
                        created_s INTEGER NOT NULL
                    ) STRICT;
                    CREATE TABLE users (
                        account TEXT NOT NULL,
                        name TEXT NOT NULL,
                        name_folded TEXT NOT NULL,
                        path TEXT NOT NULL,
                        id TEXT NOT NULL UNIQUE,
                        created_s INTEGER NOT NULL,
                        PRIMARY KEY (account, name_folded)
                    ) STRICT;
                    CREATE TABLE access_keys (
                        id TEXT PRIMARY KEY NOT NULL,
                        account TEXT NOT NULL,
                        user_name TEXT,
                        status TEXT NOT NULL,
                        created_s INTEGER NOT NULL,
                        secret_sealed BLOB NOT NULL,
                        last_used_s INTEGER,
                        last_used_service TEXT,
                        last_used_region TEXT
                    ) STRICT;
                    CREATE INDEX access_keys_by_owner ON access_keys (account, user_name);
                    """
            )
        }
        migrator.registerMigration("0003-server-certificates-and-ssh-keys") { db in
            try db.execute(
                sql: """
                    CREATE TABLE server_certificates (
                        account TEXT NOT NULL,
                        name TEXT NOT NULL,
                        name_folded TEXT NOT NULL,
                        path TEXT NOT NULL,
                        id TEXT NOT NULL UNIQUE,
                        upload_s INTEGER NOT NULL,
                        expiration_s INTEGER NOT NULL,
                        body TEXT NOT NULL,
                        chain TEXT,
                        tags_json TEXT NOT NULL,
                        private_key_sealed BLOB NOT NULL,
                        PRIMARY KEY (account, name_folded)
                    ) STRICT;
                    CREATE TABLE ssh_public_keys (
                        id TEXT PRIMARY KEY NOT NULL,
                        account TEXT NOT NULL,
                        user_name TEXT NOT NULL,
                        body TEXT NOT NULL,
                        fingerprint TEXT NOT NULL,
                        status TEXT NOT NULL,
                        upload_s INTEGER NOT NULL,
                        UNIQUE (account, user_name, fingerprint)
                    ) STRICT;
                    """
            )
        }
        migrator.registerMigration("0004-instances") { db in
            try db.execute(
                sql: """
                    CREATE TABLE instances (
                        id TEXT PRIMARY KEY NOT NULL,
                        account TEXT NOT NULL,
                        region TEXT NOT NULL,
                        address_index INTEGER NOT NULL UNIQUE,
                        private_ip TEXT NOT NULL UNIQUE,
                        launched_s INTEGER NOT NULL,
                        record_json TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX instances_by_scope ON instances (account, region);
                    CREATE TABLE audit_log (
                        at_s INTEGER NOT NULL,
                        action TEXT NOT NULL,
                        subject TEXT NOT NULL,
                        detail TEXT NOT NULL
                    ) STRICT;
                    """
            )
        }
        migrator.registerMigration("0005-key-pair-counts") { db in
            // The number of key pairs per account and region, kept by triggers in the same transaction as the rows,
            // so the limit check on every insert is one primary-key lookup instead of a scan of the scope.
            try db.execute(
                sql: """
                    CREATE TABLE key_pair_counts (
                        account TEXT NOT NULL,
                        region TEXT NOT NULL,
                        count INTEGER NOT NULL,
                        PRIMARY KEY (account, region)
                    ) STRICT, WITHOUT ROWID;
                    INSERT INTO key_pair_counts (account, region, count)
                        SELECT account, region, COUNT(*) FROM key_pairs GROUP BY account, region;
                    CREATE TRIGGER key_pair_counts_insert AFTER INSERT ON key_pairs BEGIN
                        INSERT INTO key_pair_counts (account, region, count) VALUES (NEW.account, NEW.region, 1)
                            ON CONFLICT (account, region) DO UPDATE SET count = count + 1;
                    END;
                    CREATE TRIGGER key_pair_counts_delete AFTER DELETE ON key_pairs BEGIN
                        UPDATE key_pair_counts SET count = count - 1
                            WHERE account = OLD.account AND region = OLD.region;
                    END;
                    """
            )
        }
        migrator.registerMigration("0006-keyway-meta") { db in
            // Facts about the store itself; first of them the master-key canary (see `SecretSealer.load`).
            try db.execute(
                sql: """
                    CREATE TABLE keyway_meta (
                        name TEXT PRIMARY KEY NOT NULL,
                        value BLOB NOT NULL
                    ) STRICT;
                    """
            )
        }
        migrator.registerMigration("0007-user-tags") { db in
            // IAM user tags, ordered by key, as `[[key, value], …]`; users made before this have none.
            try db.execute(sql: "ALTER TABLE users ADD COLUMN tags_json TEXT NOT NULL DEFAULT '[]'")
        }
        return migrator
    }

    /// Whether `keyway_meta` holds a value of that name.
    func metaValueExists(_ name: String) throws -> Bool {
        try self.pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM keyway_meta WHERE name = ?)", arguments: [name])
                ?? false
        }
    }

    /// Writes a value of `keyway_meta`, durably, replacing any earlier one.
    func setMetaValue(_ name: String, _ value: Data) throws {
        try self.pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO keyway_meta (name, value) VALUES (?, ?)",
                arguments: [name, value]
            )
        }
    }

    /// What the store says about the master key that seals it, read without changing a byte of the data folder's
    /// database: a read-only connection (never a checkpoint, never a migration), and the empty `-wal` and `-shm`
    /// files SQLite makes for it removed again when they were not there before. Nil when there is no database yet.
    static func sealFacts(directory: URL) throws -> SealFacts? {
        let path = directory.appendingPathComponent(Self.fileName).path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let companions = ["-wal", "-shm"].map { path + $0 }
        let existed = companions.map { FileManager.default.fileExists(atPath: $0) }
        defer {
            for (file, before) in zip(companions, existed) where !before {
                let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
                // A WAL this connection made holds no frames (it never wrote); an index of none is rebuilt anyway.
                if file.hasSuffix("-shm") || size == 0 { try? FileManager.default.removeItem(atPath: file) }
            }
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        let facts = try queue.read { db in try SealFacts(db) }
        try queue.close()
        return facts
    }

    /// Appends a line to the audit log (administrative operations such as key recovery).
    public func audit(action: String, subject: String, detail: String) throws {
        try self.pool.write { db in
            try db.execute(
                sql: "INSERT INTO audit_log (at_s, action, subject, detail) VALUES (?, ?, ?, ?)",
                arguments: [Date().storedSeconds, action, subject, detail]
            )
        }
    }

    /// The audit log, oldest first, as `time action subject detail` lines.
    public func auditLog() throws -> [String] {
        try self.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY rowid").map { row in
                "\(Date(timeIntervalSince1970: Double(row["at_s"] as Int64)).ISO8601Format()) \(row["action"] as String) \(row["subject"] as String) \(row["detail"] as String)"
            }
        }
    }

    /// Runs SQLite's own consistency check; "ok" when the file is sound.
    public func integrityCheck() throws -> String {
        try self.pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }
}

/// What a database says about the master key that seals it (see `SecretSealer.load`).
struct SealFacts {
    /// The sealed canary, when one was recorded.
    var canary: Data?
    /// One sealed secret and the ID it was sealed for, when the store holds any.
    var sealedSecret: (sealed: Data, id: String)?
    /// Whether the store holds any account.
    var holdsAccounts: Bool

    /// Whether a master key already seals something here: such a store is never given a new key.
    var holdsSecrets: Bool { self.canary != nil || self.sealedSecret != nil || self.holdsAccounts }

    /// Reads the facts, tolerating a schema from before any of these tables.
    init(_ db: Database) throws {
        let tables = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
        self.canary =
            tables.contains("keyway_meta")
            ? try Data.fetchOne(
                db,
                sql: "SELECT value FROM keyway_meta WHERE name = ?",
                arguments: [SecretSealer.canaryName]
            )
            : nil
        self.sealedSecret = nil
        if tables.contains("access_keys"),
            let row = try Row.fetchOne(db, sql: "SELECT id, secret_sealed FROM access_keys LIMIT 1")
        {
            self.sealedSecret = (row["secret_sealed"], row["id"])
        } else if tables.contains("server_certificates"),
            let row = try Row.fetchOne(db, sql: "SELECT id, private_key_sealed FROM server_certificates LIMIT 1")
        {
            self.sealedSecret = (row["private_key_sealed"], row["id"])
        }
        let accounts =
            tables.contains("accounts") ? try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM accounts)") : false
        self.holdsAccounts = accounts ?? false
    }
}
