import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The threads ``RSAKeyPool`` generates on: named as the system shows them, and for keys made ahead of need, in
/// Linux's idle scheduling class so they run only on cores nothing else wants.
enum KeyGenerationThread {
    /// Starts a thread named `name` (at most 15 bytes are shown) that runs `body`, at idle priority when `idle`.
    static func start(name: String, idle: Bool, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            // Set from the thread itself, Foundation passes the name on to the system.
            Thread.current.name = name
            if idle { Self.lowerPriority() }
            body()
        }
        thread.start()
    }

    /// Moves the calling thread to `SCHED_IDLE`, or failing that to nice 19. A thread may always lower its own
    /// priority (and, unprivileged, never raise it again: these threads stay idle for good).
    private static func lowerPriority() {
        #if canImport(Glibc)
        var parameters = sched_param()
        parameters.sched_priority = 0
        // SCHED_IDLE is 5 in <linux/sched.h>; Glibc's module does not export the constant.
        if pthread_setschedparam(pthread_self(), 5, &parameters) != 0 {
            // On Linux, PRIO_PROCESS with ID 0 is the calling thread alone.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
        }
        #endif
    }
}
