import Foundation
import KeywayCore
import Testing

@Suite struct IdentityServiceTests {
    static func service() -> IdentityService { IdentityService(store: InMemoryIdentityStore()) }

    static func root(_ service: IdentityService) async throws -> Principal {
        let (account, _) = try await service.createAccount()
        return Principal(account: account.id, user: nil, accessKeyID: nil)
    }

    @Test func bootstrapOnlyOnAnEmptyStore() async throws {
        let service = Self.service()
        let first = try #require(try await service.bootstrap())
        #expect(first.rootKey.key.id.rawValue.hasPrefix("AKIA"))
        #expect(first.rootKey.secret.value.count == 40)
        #expect("\(first.rootKey.secret)" == "<redacted>")
        #expect(try await service.bootstrap() == nil)
    }

    @Test func credentialsStopAtOnceWhenAKeyIsDeactivatedOrDeleted() async throws {
        let service = Self.service()
        let root = try await Self.root(service)
        _ = try await service.createUser(by: root, name: "alice", path: nil)
        let issued = try await service.createAccessKey(by: root, userName: "alice")
        let found = try #require(try await service.credentials(for: issued.key.id))
        #expect(found.principal.user?.name == "alice")
        #expect(found.secret == issued.secret)
        try await service.updateAccessKey(by: root, userName: "alice", id: issued.key.id.rawValue, status: .inactive)
        #expect(try await service.credentials(for: issued.key.id) == nil)
        try await service.updateAccessKey(by: root, userName: "alice", id: issued.key.id.rawValue, status: .active)
        #expect(try await service.credentials(for: issued.key.id) != nil)
        try await service.deleteAccessKey(by: root, userName: "alice", id: issued.key.id.rawValue)
        #expect(try await service.credentials(for: issued.key.id) == nil)
    }

    @Test func usersManageOnlyTheirOwnKeys() async throws {
        let service = Self.service()
        let root = try await Self.root(service)
        let alice = try await service.createUser(by: root, name: "alice", path: "/team/")
        _ = try await service.createUser(by: root, name: "bob", path: nil)
        let asAlice = Principal(account: root.account, user: alice, accessKeyID: nil)
        let own = try await service.createAccessKey(by: asAlice, userName: nil)
        #expect(own.key.userName == "alice")
        #expect(
            try await service.listAccessKeys(by: asAlice, userName: "Alice", marker: nil, maxItems: nil).items.count
                == 1
        )
        await #expect(throws: KeywayError(.accessDenied, subject: "iam:CreateAccessKey")) {
            try await service.createAccessKey(by: asAlice, userName: "bob")
        }
        await #expect(throws: KeywayError(.accessDenied, subject: "iam:ListUsers")) {
            try await service.listUsers(by: asAlice, pathPrefix: nil, marker: nil, maxItems: nil)
        }
        #expect(throws: KeywayError(.accessDenied, subject: "ec2:DescribeKeyPairs")) {
            try IdentityService.authorize(asAlice, action: "ec2:DescribeKeyPairs", resource: "*")
        }
        try IdentityService.authorize(asAlice, action: "sts:GetCallerIdentity", resource: "*")
        #expect(asAlice.arn == "arn:aws:iam::\(root.account.rawValue):user/team/alice")
    }

    @Test func lastUsedAndItsRefusals() async throws {
        let service = Self.service()
        let root = try await Self.root(service)
        _ = try await service.createUser(by: root, name: "alice", path: nil)
        let issued = try await service.createAccessKey(by: root, userName: "alice")
        let before = try await service.accessKeyLastUsed(by: root, id: issued.key.id.rawValue)
        #expect(before.userName == "alice")
        #expect(before.lastUsed == nil)
        let use = AccessKeyUse(date: Date(timeIntervalSince1970: 1_800_000_000), service: "sts", region: "eu-west-1")
        try await service.recordUses([issued.key.id: use])
        #expect(try await service.accessKeyLastUsed(by: root, id: issued.key.id.rawValue).lastUsed == use)
        await #expect(throws: KeywayError(.accessDenied, subject: "iam:GetAccessKeyLastUsed")) {
            try await service.accessKeyLastUsed(by: root, id: "AKIAAAAAAAAAAAAAAAAA")
        }
        let otherRoot = try await Self.root(service)
        await #expect(throws: KeywayError(.accessDenied, subject: "iam:GetAccessKeyLastUsed")) {
            try await service.accessKeyLastUsed(by: otherRoot, id: issued.key.id.rawValue)
        }
    }

    /// Without `UserName` IAM acts on the caller: the root creates, lists, updates and deletes its own keys, two at
    /// most, and a user's key given without the user's name is not among them.
    @Test func rootManagesItsOwnKeysWithoutAUserName() async throws {
        let service = Self.service()
        let (account, first) = try await service.createAccount()
        let root = Principal(account: account.id, user: nil, accessKeyID: first.key.id)
        let second = try await service.createAccessKey(by: root, userName: nil)
        #expect(second.key.userName == nil)
        await #expect(throws: KeywayError(.accessKeyLimitExceeded, subject: "2")) {
            try await service.createAccessKey(by: root, userName: nil)
        }
        let listed = try await service.listAccessKeys(by: root, userName: nil, marker: nil, maxItems: nil).items
        #expect(Set(listed.map(\.id)) == [first.key.id, second.key.id])
        try await service.updateAccessKey(by: root, userName: nil, id: second.key.id.rawValue, status: .inactive)
        #expect(try await service.credentials(for: second.key.id) == nil)

        _ = try await service.createUser(by: root, name: "alice", path: nil)
        let alices = try await service.createAccessKey(by: root, userName: "alice")
        await #expect(throws: KeywayError(.accessKeyNotFound, subject: alices.key.id.rawValue)) {
            try await service.deleteAccessKey(by: root, userName: nil, id: alices.key.id.rawValue)
        }
        #expect(try await service.credentials(for: alices.key.id) != nil)

        try await service.deleteAccessKey(by: root, userName: nil, id: second.key.id.rawValue)
        #expect(
            try await service.listAccessKeys(by: root, userName: nil, marker: nil, maxItems: nil).items.map(\.id) == [
                first.key.id
            ]
        )
        // Keyway's own recovery tool is not held to the API's two keys.
        _ = try await service.createAccessKey(by: root, userName: nil)
        _ = try await service.createRootAccessKey(account: account.id)
        #expect(try await service.listAccessKeys(by: root, userName: nil, marker: nil, maxItems: nil).items.count == 3)
    }

    @Test func listUsersPages() async throws {
        let service = Self.service()
        let root = try await Self.root(service)
        for index in 0..<7 { _ = try await service.createUser(by: root, name: "user\(index)", path: nil) }
        var names: [String] = []
        var marker: String?
        repeat {
            let page = try await service.listUsers(by: root, pathPrefix: nil, marker: marker, maxItems: 3)
            names += page.items.map(\.name)
            marker = page.marker
        } while marker != nil
        #expect(names == (0..<7).map { "user\($0)" })
    }

    @Test(arguments: ["", "with space", String(repeating: "a", count: 65), "slash/no"])
    func invalidUserNames(_ name: String) async throws {
        let service = Self.service()
        let root = try await Self.root(service)
        await #expect(throws: KeywayError.self) { try await service.createUser(by: root, name: name, path: nil) }
    }
}
