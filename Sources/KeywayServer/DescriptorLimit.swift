#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's file descriptor limit, which bounds how many connections Keyway may hold.
enum DescriptorLimit {
    /// Descriptors kept for everything that is not a client connection: the database and its WAL, the metadata
    /// listeners, log and key files, the RSA pool's threads.
    static let reserve = 256

    /// Raises the soft limit to the hard one (what the operator allows is what the server may use) and answers how
    /// many connections fit below it with the reserve kept; at least 16.
    static func connectionBudget() -> Int {
        var limit = rlimit()
        guard getrlimit(resourceNoFile, &limit) == 0 else { return 1024 - Self.reserve }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resourceNoFile, &raised) == 0 { limit = raised }
        }
        // RLIM_INFINITY and other huge values: NIO and the kernel cap far below them anyway.
        let soft = limit.rlim_cur > 1_048_576 ? 1_048_576 : Int(limit.rlim_cur)
        return max(16, soft - Self.reserve)
    }

    #if canImport(Glibc)
    private static let resourceNoFile = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resourceNoFile = RLIMIT_NOFILE
    #endif
}
