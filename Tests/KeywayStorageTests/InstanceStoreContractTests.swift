import Foundation
import KeyFormats
import KeywayCore
import KeywayStorage
import Testing

/// The behaviour every ``InstanceStore`` must have, memory and SQLite alike, driven through ``InstanceService``:
/// launches and changes are transactions (issue 13).
@Suite struct InstanceStoreContractTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case memory, sqlite
        var testDescription: String { self.rawValue }
    }

    static let scope = Scope(account: AccountID(rawValue: "111111111111")!, region: Region(rawValue: "us-east-1")!)
    static let linux = "ami-0a1b2c3d4e5f60001"

    static func make(
        _ kind: Kind,
        limit: Int = InstanceService.defaultLimitPerRegion
    ) throws -> (InstanceService, KeyPairService) {
        let instanceStore: any InstanceStore
        let keyStore: any KeyPairStore
        switch kind {
        case .memory:
            instanceStore = InMemoryInstanceStore()
            keyStore = InMemoryKeyPairStore()
        case .sqlite:
            let database = try SQLiteDatabase(directory: temporaryDirectory())
            instanceStore = SQLiteInstanceStore(database: database)
            keyStore = SQLiteKeyPairStore(database: database)
        }
        let service = InstanceService(
            store: instanceStore,
            keyPairs: keyStore,
            pushedKeys: PushedKeys(),
            limitPerRegion: limit
        )
        return (service, KeyPairService(store: keyStore))
    }

    static func run(
        _ service: InstanceService,
        count: Int = 1,
        token: String? = nil,
        key: String? = nil
    ) async throws -> [Instance] {
        try await service.run(
            in: Self.scope,
            imageID: Self.linux,
            minCount: count,
            maxCount: count,
            instanceType: "t3.micro",
            keyName: key,
            clientToken: token,
            tags: []
        )
    }

    /// Eight concurrent launches with one client token launch one reservation; all eight answer with it.
    @Test(arguments: Kind.allCases) func oneClientTokenLaunchesOnce(_ kind: Kind) async throws {
        let (service, _) = try Self.make(kind)
        let reservations = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask { try await Self.run(service, count: 2, token: "same-token").map(\.id.rawValue) }
            }
            return try await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        #expect(Set(reservations.map { $0.sorted() }).count == 1)
        #expect(try await service.describe(in: Self.scope, ids: [], filters: []).count == 2)
    }

    /// The quota counts instances that are not terminated, in one transaction with the insert.
    @Test(arguments: Kind.allCases) func quotaRefusesPastTheLimit(_ kind: Kind) async throws {
        let (service, _) = try Self.make(kind, limit: 3)
        let first = try await Self.run(service, count: 2)
        let error = await #expect(throws: KeywayError.self) { try await Self.run(service, count: 2) }
        #expect(error?.code == .instanceLimitExceeded)
        #expect(error?.detail == "Your quota allows for 1 more running instance(s). You requested at least 2")
        _ = try await service.terminate(in: Self.scope, ids: [first[0].id.rawValue])
        #expect(try await Self.run(service, count: 2).count == 2)
    }

    /// A stop racing the audited recovery never undoes it: each change is read, checked and written in one transaction.
    @Test(arguments: Kind.allCases) func concurrentStateChangesKeepTheRecovery(_ kind: Kind) async throws {
        let (service, keyPairs) = try Self.make(kind)
        _ = try await keyPairs.createKeyPair(in: Self.scope, name: "k", type: .ed25519, format: .pem, tags: [])
        let instance = try await Self.run(service, key: "k")[0]
        let replacement = try PrivateKey(generating: .ed25519).publicKey.openSSHRepresentation()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for round in 0..<20 {
                group.addTask {
                    if round % 2 == 0 {
                        _ = try await service.stop(in: Self.scope, ids: [instance.id.rawValue])
                    } else {
                        _ = try await service.start(in: Self.scope, ids: [instance.id.rawValue])
                    }
                }
            }
            group.addTask {
                _ = try await service.replaceAuthorizedKeys(instanceID: instance.id.rawValue, publicKey: replacement)
            }
            try await group.waitForAll()
        }
        _ = try await service.start(in: Self.scope, ids: [instance.id.rawValue])
        let keys = try await service.authorizedKeys(instanceID: instance.id.rawValue, user: "ec2-user")
        #expect(keys.count == 1)
        #expect(keys.first?.hasSuffix(" recovered") == true)
    }

    /// A refused change (an unknown ID among known ones, or a state that does not allow it) changes nothing.
    @Test(arguments: Kind.allCases) func refusedChangesAreAllOrNothing(_ kind: Kind) async throws {
        let (service, _) = try Self.make(kind)
        let instance = try await Self.run(service)[0]
        await #expect(throws: KeywayError(.instanceNotFound, subject: "i-00000000000000000")) {
            try await service.stop(in: Self.scope, ids: [instance.id.rawValue, "i-00000000000000000"])
        }
        #expect(try await service.describe(in: Self.scope, ids: [], filters: [])[0].state == .running)
        _ = try await service.terminate(in: Self.scope, ids: [instance.id.rawValue])
        await #expect(throws: KeywayError.self) { try await service.start(in: Self.scope, ids: [instance.id.rawValue]) }
        #expect(try await service.describe(in: Self.scope, ids: [], filters: [])[0].state == .terminated)
    }

    /// DescribeInstances pages through every instance once, in launch order.
    @Test(arguments: Kind.allCases) func describePagesEveryInstanceOnce(_ kind: Kind) async throws {
        let (service, _) = try Self.make(kind)
        let launched = try await Self.run(service, count: 12)
        var seen: [InstanceID] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try await service.describe(in: Self.scope, ids: [], filters: [], maxResults: 5, nextToken: token)
            seen += page.instances.map(\.id)
            token = page.nextToken
            pages += 1
        } while token != nil && pages < 10
        #expect(pages == 3)
        #expect(seen == launched.map(\.id).sorted())
        await #expect(throws: KeywayError.self) {
            try await service.describe(
                in: Self.scope,
                ids: [launched[0].id.rawValue],
                filters: [],
                maxResults: 5,
                nextToken: nil
            )
        }
        await #expect(throws: KeywayError.self) {
            try await service.describe(in: Self.scope, ids: [], filters: [], maxResults: 4, nextToken: nil)
        }
        await #expect(throws: KeywayError.self) {
            try await service.describe(in: Self.scope, ids: [], filters: [], maxResults: 5, nextToken: "not a token")
        }
    }
}
