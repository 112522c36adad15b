import AWSProtocol
import Foundation
import Testing

@Suite struct RequestIDTests {
    /// Lower-case version 4 UUIDs with the RFC 4122 variant, that Foundation reads back, and no two alike.
    @Test func requestIDsAreRandomUUIDs() throws {
        let ids = (0..<1000).map { _ in RequestID.random() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/) != nil)
            #expect(UUID(uuidString: id)?.uuidString.lowercased() == id)
        }
    }
}

extension RequestIDTests {
    /// IDs made at once on many tasks, across several refills of the random pool, are all different.
    @Test func concurrentRequestIDsAreDistinct() async {
        let ids = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 { group.addTask { (0..<2000).map { _ in RequestID.random() } } }
            return await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(ids.count == 16_000)
        #expect(Set(ids).count == ids.count)
    }
}
