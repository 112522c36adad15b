import Foundation
import KeyFormats
import KeywayCore
import Synchronization
import Testing

@Suite struct InstanceServiceTests {
    static let scope = Scope(account: AccountID(rawValue: "111111111111")!, region: Region(rawValue: "us-east-1")!)
    static let linux = "ami-0a1b2c3d4e5f60001"
    static let windows = "ami-0a1b2c3d4e5f60003"

    /// A clock the test moves.
    final class TestClock: Sendable {
        private let date = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        func now() -> Date { self.date.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { self.date.withLock { $0 = $0.addingTimeInterval(seconds) } }
    }

    /// A service with its own stores and clock.
    static func make() -> (InstanceService, KeyPairService, TestClock) {
        let clock = TestClock()
        let now: @Sendable () -> Date = { clock.now() }
        let keyStore = InMemoryKeyPairStore()
        let instances = InstanceService(
            store: InMemoryInstanceStore(),
            keyPairs: keyStore,
            pushedKeys: PushedKeys(now: now),
            now: now
        )
        return (instances, KeyPairService(store: keyStore), clock)
    }

    @Test func windowsPasswordDecryptsWithTheLaunchKeyAndLinuxHasNone() async throws {
        let (instances, keyPairs, _) = Self.make()
        let created = try await keyPairs.createKeyPair(in: Self.scope, name: "win", type: .rsa, format: .pem, tags: [])
        let privateKey = try #require(try KeyMaterial(text: created.keyMaterial).privateKey)
        let windows = try await instances.run(
            in: Self.scope,
            imageID: Self.windows,
            minCount: 1,
            maxCount: 1,
            instanceType: "t3.micro",
            keyName: "win",
            clientToken: nil,
            tags: []
        )[0]
        let encoded = try #require(windows.passwordData)
        let data = try #require(Data(base64Encoded: encoded))
        let password = String(decoding: try privateKey.decryptPKCS1v15(Array(data)), as: UTF8.self)
        #expect(password.count == 32)
        let linux = try await instances.run(
            in: Self.scope,
            imageID: Self.linux,
            minCount: 2,
            maxCount: 2,
            instanceType: "t3.micro",
            keyName: "win",
            clientToken: nil,
            tags: []
        )
        #expect(linux.count == 2)
        #expect(linux.allSatisfy { $0.passwordData == nil })
        #expect(Set([windows.privateIP] + linux.map(\.privateIP)).count == 3)
    }

    @Test func launchRules() async throws {
        let (instances, keyPairs, _) = Self.make()
        _ = try await keyPairs.createKeyPair(in: Self.scope, name: "ed", type: .ed25519, format: .pem, tags: [])
        await #expect(throws: KeywayError(.keyPairNotFound, subject: "nope")) {
            try await instances.run(
                in: Self.scope,
                imageID: Self.linux,
                minCount: 1,
                maxCount: 1,
                instanceType: "t3.micro",
                keyName: "nope",
                clientToken: nil,
                tags: []
            )
        }
        await #expect(throws: KeywayError(.invalidParameterCombination, subject: "ed")) {
            try await instances.run(
                in: Self.scope,
                imageID: Self.windows,
                minCount: 1,
                maxCount: 1,
                instanceType: "t3.micro",
                keyName: "ed",
                clientToken: nil,
                tags: []
            )
        }
        await #expect(throws: KeywayError(.imageNotFound, subject: "ami-00000000000000000")) {
            try await instances.run(
                in: Self.scope,
                imageID: "ami-00000000000000000",
                minCount: 1,
                maxCount: 1,
                instanceType: "t3.micro",
                keyName: nil,
                clientToken: nil,
                tags: []
            )
        }
        let first = try await instances.run(
            in: Self.scope,
            imageID: Self.linux,
            minCount: 1,
            maxCount: 1,
            instanceType: "t3.micro",
            keyName: "ed",
            clientToken: "tok",
            tags: []
        )
        let again = try await instances.run(
            in: Self.scope,
            imageID: Self.linux,
            minCount: 1,
            maxCount: 1,
            instanceType: "t3.micro",
            keyName: "ed",
            clientToken: "tok",
            tags: []
        )
        #expect(first.map(\.id) == again.map(\.id))
    }

    @Test func authorizedKeysFollowTheLifeCycleInstanceConnectAndRecovery() async throws {
        let (instances, keyPairs, clock) = Self.make()
        let created = try await keyPairs.createKeyPair(
            in: Self.scope,
            name: "k",
            type: .ed25519,
            format: .pem,
            tags: []
        )
        let instance = try await instances.run(
            in: Self.scope,
            imageID: Self.linux,
            minCount: 1,
            maxCount: 1,
            instanceType: "t3.micro",
            keyName: "k",
            clientToken: nil,
            tags: []
        )[0]
        let id = instance.id.rawValue
        #expect(try await instances.authorizedKeys(instanceID: id, user: "ec2-user") == [created.keyPair.publicKey])
        let pushed = try PrivateKey(generating: .ed25519).publicKey.openSSHRepresentation()
        try await instances.sendSSHPublicKey(in: Self.scope, instanceID: id, user: "ec2-user", publicKey: pushed)
        #expect(try await instances.authorizedKeys(instanceID: id, user: "ec2-user").contains(pushed))
        #expect(try await !instances.authorizedKeys(instanceID: id, user: "other").contains(pushed))
        clock.advance(61)
        #expect(try await !instances.authorizedKeys(instanceID: id, user: "ec2-user").contains(pushed))

        let replacement = try PrivateKey(generating: .rsa).publicKey
        let recovered = try await instances.replaceAuthorizedKeys(
            instanceID: id,
            publicKey: replacement.openSSHRepresentation()
        )
        #expect(recovered.launchPublicKey == created.keyPair.publicKey)
        #expect(
            try await instances.authorizedKeys(instanceID: id, user: "ec2-user") == [
                replacement.openSSHRepresentation(comment: "recovered")
            ]
        )

        let stopped = try await instances.stop(in: Self.scope, ids: [id])
        #expect(stopped.map(\.current) == [.stopping])
        #expect(try await instances.authorizedKeys(instanceID: id, user: "ec2-user").isEmpty)
        _ = try await instances.start(in: Self.scope, ids: [id])
        _ = try await instances.terminate(in: Self.scope, ids: [id])
        await #expect(throws: KeywayError(.incorrectInstanceState, subject: id)) {
            try await instances.start(in: Self.scope, ids: [id])
        }
        let other = Scope(account: AccountID(rawValue: "222222222222")!, region: .usEast1)
        await #expect(throws: KeywayError(.instanceNotFound, subject: id)) {
            try await instances.stop(in: other, ids: [id])
        }
    }

    /// The launch key is for the image's default user only (ec2-user, ubuntu, Administrator), as EC2 installs it;
    /// root gets nothing, not even a key pushed for it through Instance Connect (issue 13).
    @Test(arguments: [
        ("ami-0a1b2c3d4e5f60001", "ec2-user"), ("ami-0a1b2c3d4e5f60002", "ubuntu"),
        ("ami-0a1b2c3d4e5f60003", "Administrator"),
    ])
    func launchKeyIsTheDefaultUsersOnly(image: String, user: String) async throws {
        let (instances, keyPairs, _) = Self.make()
        let created = try await keyPairs.createKeyPair(in: Self.scope, name: "k", type: .rsa, format: .pem, tags: [])
        let id = try await instances.run(
            in: Self.scope,
            imageID: image,
            minCount: 1,
            maxCount: 1,
            instanceType: "t3.micro",
            keyName: "k",
            clientToken: nil,
            tags: []
        )[0].id.rawValue
        #expect(try await instances.authorizedKeys(instanceID: id, user: user) == [created.keyPair.publicKey])
        for other in ["root", "admin", "ec2-user", "ubuntu", "Administrator"] where other != user {
            #expect(try await instances.authorizedKeys(instanceID: id, user: other).isEmpty, "\(other)")
        }
        let pushed = try PrivateKey(generating: .ed25519).publicKey.openSSHRepresentation()
        try await instances.sendSSHPublicKey(in: Self.scope, instanceID: id, user: "root", publicKey: pushed)
        #expect(try await instances.authorizedKeys(instanceID: id, user: "root").isEmpty)
    }

    /// IDs not of EC2's forms are malformed, not missing (`InvalidInstanceID.Malformed`, `InvalidAMIID.Malformed`).
    @Test func malformedIDsAreToldApartFromUnknownOnes() async throws {
        let (instances, _, _) = Self.make()
        for bad in ["i-xyz", "", "i-0123456789abcdef", "I-0123456789ABCDEF0", "i-0123456789abcdef0 "] {
            await #expect(throws: KeywayError(.instanceIDMalformed, subject: bad)) {
                try await instances.stop(in: Self.scope, ids: [bad])
            }
            await #expect(throws: KeywayError(.instanceIDMalformed, subject: bad)) {
                try await instances.describe(in: Self.scope, ids: [bad], filters: [])
            }
        }
        for unknown in ["i-01234567", "i-0123456789abcdef0"] {
            await #expect(throws: KeywayError(.instanceNotFound, subject: unknown)) {
                try await instances.stop(in: Self.scope, ids: [unknown])
            }
        }
        await #expect(throws: KeywayError(.imageIDMalformed, subject: "ami-nope")) {
            try await instances.run(
                in: Self.scope,
                imageID: "ami-nope",
                minCount: 1,
                maxCount: 1,
                instanceType: "t3.micro",
                keyName: nil,
                clientToken: nil,
                tags: []
            )
        }
    }
}
