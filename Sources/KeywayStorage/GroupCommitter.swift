import Foundation
import GRDB

/// Group commit: write operations that arrive while a transaction is being committed wait, then share the next
/// transaction, so one fsync acknowledges many writes.
///
/// Each operation runs in its own savepoint: one that throws (a duplicate name, a limit) is rolled back alone and
/// gets its error, while the others in the batch commit. An operation's caller resumes only after the transaction
/// holding it is durable.
///
/// The transactions run on a thread of their own, which starts the next one the moment the last is durable. On
/// Swift's cooperative pool (an actor, before) that next step queued behind the very requests waiting for it, and
/// every commit cycle grew by that wait.
final class GroupCommitter: Sendable {
    typealias Operation = @Sendable (Database) throws -> Void

    private final class State: @unchecked Sendable {
        /// Guards `pending` and `stopped`; the commit thread waits on it.
        let condition = NSCondition()
        var pending: [(operation: Operation, continuation: CheckedContinuation<Void, any Error>)] = []
        /// Set when the committer is released: the thread finishes what is pending and ends.
        var stopped = false
    }

    private let state = State()
    /// Operations in one transaction at most, so one batch cannot hold the writer for long.
    private static let maximumBatch = 512

    init(pool: DatabasePool) {
        let thread = Thread { [state] in
            // Set from the thread itself, Foundation passes the name on to the system.
            Thread.current.name = "keyway-commit"
            Self.run(state: state, pool: pool)
        }
        thread.start()
    }

    deinit {
        self.state.condition.lock()
        self.state.stopped = true
        self.state.condition.signal()
        self.state.condition.unlock()
    }

    /// Runs `operation` in a write transaction shared with other waiting operations; returns once it is committed.
    func write(_ operation: @escaping Operation) async throws {
        try await withCheckedThrowingContinuation { continuation in
            self.state.condition.lock()
            self.state.pending.append((operation, continuation))
            self.state.condition.signal()
            self.state.condition.unlock()
        }
    }

    /// The commit thread: take everything pending (up to the batch limit), commit it in one transaction, resume its
    /// callers, repeat; sleep while nothing is pending.
    private static func run(state: State, pool: DatabasePool) {
        state.condition.lock()
        while true {
            while state.pending.isEmpty && !state.stopped { state.condition.wait() }
            if state.pending.isEmpty {
                state.condition.unlock()
                return
            }
            let batch = Array(state.pending.prefix(Self.maximumBatch))
            state.pending.removeFirst(batch.count)
            state.condition.unlock()
            let results: [Result<Void, any Error>]
            do {
                results = try pool.write { db in
                    batch.map { entry in
                        Result {
                            try db.inSavepoint {
                                try entry.operation(db)
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
            state.condition.lock()
        }
    }
}
