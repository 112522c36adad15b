import Foundation
import KeyFormats
import KeywayCore
import Testing

@Suite struct RSAKeyPoolTests {
    /// More callers than the pool holds: each gets its own fresh 2048-bit key, and the pool refills to its capacity.
    @Test func everyCallerGetsADistinctKeyAndThePoolRefills() async throws {
        let pool = RSAKeyPool(capacity: 2, threads: 2)
        let keys = try await withThrowingTaskGroup(of: PrivateKey.self) { group in
            for _ in 0..<5 { group.addTask { try await pool.take() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(keys.count == 5)
        #expect(keys.allSatisfy { $0.keyType == .rsa && $0.bitCount == 2048 })
        #expect(Set(keys.map { $0.publicKey.openSSHRepresentation(comment: "") }).count == 5)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while pool.readyCount < 2, clock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(pool.readyCount == 2)
        // Full: the generators stop instead of growing the pool.
        try await Task.sleep(for: .milliseconds(300))
        #expect(pool.readyCount == 2)
    }

    /// The threads that fill the pool ahead run in Linux's idle scheduling class (policy 5), so refilling never takes
    /// a core from a request; the on-demand threads keep the normal class (0).
    @Test func aheadThreadsRunOnlyOnIdleCores() async throws {
        let pool = RSAKeyPool(capacity: 1, threads: 1)
        _ = try await pool.take()
        var policies: [String: Int] = [:]
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while policies.count < 2, clock.now < deadline {
            for task in try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") {
                guard let comm = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8),
                    comm.hasPrefix("keyway-rsa-"),
                    let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                    let close = stat.lastIndex(of: ")")
                else { continue }
                // Fields after the name start at field 3; the scheduling policy is field 41.
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                policies[comm.hasPrefix("keyway-rsa-a") ? "ahead" : "on-demand"] = Int(fields[41 - 3])
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(policies["ahead"] == 5)
        #expect(policies["on-demand"] == 0)
    }
}
