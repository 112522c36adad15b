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
}
