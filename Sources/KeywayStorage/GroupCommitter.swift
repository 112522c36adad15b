import GRDB

/// Group commit: write operations that arrive while a transaction is being committed wait, then share the next
/// transaction, so one fsync acknowledges many writes.
///
/// Each operation runs in its own savepoint: one that throws (a duplicate name, a limit) is rolled back alone and
/// gets its error, while the others in the batch commit. An operation's caller resumes only after the transaction
/// holding it is durable.
actor GroupCommitter {
    typealias Operation = @Sendable (Database) throws -> Void

    private let pool: DatabasePool
    private var pending: [(operation: Operation, continuation: CheckedContinuation<Void, any Error>)] = []
    private var draining = false
    /// Operations in one transaction at most, so one batch cannot hold the writer for long.
    private let maximumBatch = 512

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Runs `operation` in a write transaction shared with other waiting operations; returns once it is committed.
    func write(_ operation: @escaping Operation) async throws {
        try await withCheckedThrowingContinuation { continuation in
            self.pending.append((operation, continuation))
            if !self.draining {
                self.draining = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !self.pending.isEmpty {
            let batch = Array(self.pending.prefix(self.maximumBatch))
            self.pending.removeFirst(batch.count)
            let operations = batch.map(\.operation)
            let results: [Result<Void, any Error>]
            do {
                results = try await self.pool.write { db in
                    operations.map { operation in
                        Result {
                            try db.inSavepoint {
                                try operation(db)
                                return .commit
                            }
                        }
                    }
                }
            } catch {
                results = Array(repeating: .failure(error), count: batch.count)
            }
            for (entry, result) in zip(batch, results) {
                entry.continuation.resume(with: result)
            }
        }
        self.draining = false
    }
}
