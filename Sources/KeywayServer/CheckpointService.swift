import KeywayStorage
import Logging
import ServiceLifecycle

/// Runs the SQLite store's WAL checkpoints in the background while the server runs, so no commit waits for one (see
/// ``SQLiteDatabase/checkpoint()``): every `interval` while writes come in, every `idleInterval` once a checkpoint
/// finds nothing new (an idle server is not woken twenty times a second; the first second of a burst is covered by
/// the writer's own fallback checkpoint).
struct CheckpointService: Service {
    let database: SQLiteDatabase
    let interval: Duration
    var idleInterval: Duration = .seconds(1)
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var failing = false
            var lastWALFrames: Int?
            var idle = false
            while !Task.isCancelled {
                try? await Task.sleep(for: idle ? self.idleInterval : self.interval)
                do {
                    // nil: SQLite was busy with another checkpoint; keep the pace and try again.
                    guard let result = try await self.database.checkpoint() else { continue }
                    // Nothing new: the WAL is as it was and all of it is in the database file.
                    idle = result.walFrames == lastWALFrames && result.checkpointed == result.walFrames
                    lastWALFrames = result.walFrames
                    failing = false
                } catch is CancellationError {
                    break
                } catch {
                    // The writer's own checkpoints still bound the WAL; say so once, not every interval.
                    if !failing { self.logger.warning("background checkpoint failed", metadata: ["error": "\(error)"]) }
                    failing = true
                }
            }
        }
        // Shutting down: this service stops after the HTTP server and every other service (it is started first), so
        // no request or flush is left to write.
        do {
            try self.database.close()
            self.logger.debug("database closed")
        } catch {
            self.logger.warning("the database did not close cleanly", metadata: ["error": "\(error)"])
        }
    }
}
