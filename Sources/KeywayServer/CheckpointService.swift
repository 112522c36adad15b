import KeywayStorage
import Logging
import ServiceLifecycle

/// Runs the SQLite store's WAL checkpoints in the background every `interval` while the server runs, so no commit
/// waits for one (see ``SQLiteDatabase/checkpoint()``).
struct CheckpointService: Service {
    let database: SQLiteDatabase
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                try? await Task.sleep(for: self.interval)
                do {
                    try await self.database.checkpoint()
                    failing = false
                } catch {
                    // The writer's own checkpoints still bound the WAL; say so once, not every interval.
                    if !failing { self.logger.warning("background checkpoint failed", metadata: ["error": "\(error)"]) }
                    failing = true
                }
            }
        }
    }
}
