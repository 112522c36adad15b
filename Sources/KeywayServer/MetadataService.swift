import KeywayCore
import ServiceLifecycle

/// Runs the metadata listeners with the server: opens them for the running instances at start, closes them all
/// at shutdown.
struct MetadataService: Service {
    let listener: MetadataListener
    let store: any InstanceStore

    func run() async throws {
        if await !self.listener.start() {
            await self.listener.follow(try await self.store.allInstances())
        }
        try? await gracefulShutdown()
        await self.listener.stop()
    }
}
