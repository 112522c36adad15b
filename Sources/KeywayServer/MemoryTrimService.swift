import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// Gives memory back to the system once a burst of requests is over.
///
/// glibc's allocator keeps the pages a burst used in its per-thread arenas, so without this an idle server stays at
/// its peak size (issue 13: 40 MB idle, 152 MB under load, 96 MB after). When requests were served since the last
/// look and none for ``quietPeriod``, `malloc_trim(0)` returns the free pages; an idle server does nothing.
struct MemoryTrimService: Service {
    let inFlight: InFlightLimit
    var interval: Duration = .seconds(1)
    var quietPeriod = 2

    func run() async throws {
        #if canImport(Glibc)
        var lastTotal = self.inFlight.total
        var quietTicks = 0
        var trimmedSince = true
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: self.interval)
            let total = self.inFlight.total
            if total != lastTotal {
                lastTotal = total
                quietTicks = 0
                trimmedSince = false
                continue
            }
            quietTicks += 1
            if !trimmedSince && quietTicks >= self.quietPeriod && self.inFlight.current == 0 {
                Self.mallocTrim?(0)
                trimmedSince = true
            }
        }
        #endif
    }

    #if canImport(Glibc)
    /// glibc's `malloc_trim`, looked up at run time: Swift's Glibc module does not export `<malloc.h>`.
    private static let mallocTrim: (@convention(c) (Int) -> CInt)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> CInt).self)
    }()
    #endif
}
