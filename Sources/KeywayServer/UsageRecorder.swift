import Foundation
import KeywayCore
import Logging
import ServiceLifecycle
import Synchronization

/// Coalesces "last used" records of access keys in memory and writes them in one transaction every few seconds,
/// so authenticating a request never costs a database write. Pending records are written on shutdown too.
final class UsageRecorder: Service, Sendable {
    private let pending = Mutex<[AccessKeyID: AccessKeyUse]>([:])
    private let identity: IdentityService
    private let interval: Duration
    private let logger: Logger

    init(identity: IdentityService, interval: Duration = .seconds(5), logger: Logger) {
        self.identity = identity
        self.interval = interval
        self.logger = logger
    }

    /// Notes a use; the latest one per key wins.
    func record(_ id: AccessKeyID, _ use: AccessKeyUse) {
        self.pending.withLock { $0[id] = use }
    }

    /// Writes every pending record now.
    func flush() async {
        let uses = self.pending.withLock { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        do {
            try await self.identity.recordUses(uses)
        } catch {
            // Keep them for the next attempt, unless a newer use arrived meanwhile.
            self.pending.withLock { pending in pending.merge(uses) { newer, _ in newer } }
            self.logger.error("could not record access key use", metadata: ["error": "\(error)"])
        }
    }

    func run() async throws {
        // The loop is cancelled as soon as shutdown begins; what is pending is then written once more.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: self.interval)
                guard !Task.isCancelled else { break }
                await self.flush()
            }
        }
        // The service's task is cancelled by now; write from a fresh task, which is not, so the database accepts it.
        await Task { await self.flush() }.value
    }
}
