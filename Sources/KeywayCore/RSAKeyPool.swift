import Foundation
import KeyFormats

/// RSA keys generated ahead on dedicated threads, so CreateKeyPair answers without waiting for a generation and
/// without blocking the threads that serve requests.
///
/// The pool holds at most `capacity` keys, only in memory: they are never written, logged or reused, and each one
/// leaves the pool exactly once. One generator thread per core refills it; when requests outrun generation, callers
/// wait in arrival order and every core generates for them. Idle threads sleep until a key is taken.
public final class RSAKeyPool: Sendable {
    private final class State: @unchecked Sendable {
        /// Guards every field below; generator threads wait on it.
        let condition = NSCondition()
        var ready: [PrivateKey] = []
        var waiters: [CheckedContinuation<PrivateKey, any Error>] = []
        var generating = 0
        var failure: (any Error)?
    }

    private let state = State()
    private let capacity: Int
    private let size: PrivateKey.RSAKeySize

    /// Starts `threads` generator threads (one per core by default) that keep `capacity` keys ready.
    public init(size: PrivateKey.RSAKeySize = .bits2048, capacity: Int = 8, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.capacity = capacity
        self.size = size
        for index in 0..<max(1, threads) {
            let thread = Thread { [state, capacity, size] in Self.generate(state: state, capacity: capacity, size: size) }
            thread.name = "keyway-rsa-\(index)"
            thread.start()
        }
    }

    /// Takes a key: one that is ready at once, or the next one generated.
    public func take() async throws -> PrivateKey {
        try await withCheckedThrowingContinuation { continuation in
            let state = self.state
            state.condition.lock()
            defer { state.condition.unlock() }
            if !state.ready.isEmpty {
                continuation.resume(returning: state.ready.removeFirst())
            } else if let failure = state.failure {
                continuation.resume(throwing: failure)
            } else {
                state.waiters.append(continuation)
            }
            // A key left the pool or a caller waits: wake a generator.
            state.condition.signal()
        }
    }

    /// The pool the live environment draws 2048-bit keys from, started on first use.
    public static let shared = RSAKeyPool()

    /// The number of keys ready now.
    public var readyCount: Int {
        self.state.condition.lock()
        defer { self.state.condition.unlock() }
        return self.state.ready.count
    }

    /// One generator thread's loop: generate while the pool plus keys being generated fall short of what is wanted.
    private static func generate(state: State, capacity: Int, size: PrivateKey.RSAKeySize) {
        state.condition.lock()
        while true {
            while state.ready.count + state.generating >= capacity + state.waiters.count {
                state.condition.wait()
            }
            state.generating += 1
            state.condition.unlock()
            let result = Result { try PrivateKey(generating: .rsa, rsaKeySize: size) }
            state.condition.lock()
            state.generating -= 1
            switch result {
            case .success(let key):
                state.failure = nil
                if state.waiters.isEmpty {
                    state.ready.append(key)
                } else {
                    state.waiters.removeFirst().resume(returning: key)
                }
            case .failure(let error):
                // Generation does not fail on a sound system; if it does, callers get the error instead of waiting.
                state.failure = error
                for waiter in state.waiters { waiter.resume(throwing: error) }
                state.waiters.removeAll()
            }
        }
    }
}
