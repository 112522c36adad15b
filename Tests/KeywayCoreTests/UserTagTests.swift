import Foundation
import KeywayCore
import Testing

/// IAM's tag rules for users (IAM User Guide, id_tags): keys compare regardless of case and keep the case last given,
/// 50 a user, `aws:` reserved, the model's characters and lengths.
@Suite struct UserTagTests {
    static func service() async throws -> (IdentityService, Principal) {
        let service = IdentityService(store: InMemoryIdentityStore())
        let (account, _) = try await service.createAccount()
        return (service, Principal(account: account.id, user: nil, accessKeyID: nil))
    }

    @Test func tagCharactersAreLettersSeparatorsNumbersAndAFewMarks() {
        for text in ["Cost Center", "café", "東京", "١٢٣", "Ⅻ", "_.:/=+-@", "a\u{2028}b"] {
            #expect(text.unicodeScalars.allSatisfy(Tag.isIAMTagCharacter), "\(text)")
        }
        for text in ["!", "#", "😀", "\t", "\n", "*", "é\u{301}"] {
            #expect(!text.unicodeScalars.allSatisfy(Tag.isIAMTagCharacter), "\(text)")
        }
    }

    @Test func mergingReplacesKeysRegardlessOfCase() {
        let merged = Tag.mergingIAMUserTags(
            [Tag(key: "department", value: "hr"), Tag(key: "b", value: "2")],
            into: [Tag(key: "Department", value: "finance"), Tag(key: "a", value: "1")]
        )
        #expect(merged == [Tag(key: "a", value: "1"), Tag(key: "b", value: "2"), Tag(key: "department", value: "hr")])
        #expect(
            Tag.removingIAMUserTags(["A", "nope"], from: merged) == [
                Tag(key: "b", value: "2"), Tag(key: "department", value: "hr"),
            ]
        )
    }

    @Test func requestRules() {
        #expect(throws: KeywayError(.duplicateTagKeys, subject: "TEAM")) {
            try Tag.validateIAM(
                [Tag(key: "team", value: ""), Tag(key: "TEAM", value: "")],
                keysIgnoreCase: true,
                resource: "user"
            )
        }
        #expect(throws: Never.self) {
            try Tag.validateIAM(
                [Tag(key: "team", value: ""), Tag(key: "TEAM", value: "")],
                keysIgnoreCase: false,
                resource: "server certificate"
            )
        }
        #expect(throws: KeywayError(.reservedTagPrefix, subject: "Aws:x")) {
            try Tag.validateIAM([Tag(key: "Aws:x", value: "")], keysIgnoreCase: true, resource: "user")
        }
        #expect(throws: KeywayError(.reservedTagPrefix, subject: "k")) {
            try Tag.validateIAM([Tag(key: "k", value: "aws:v")], keysIgnoreCase: true, resource: "user")
        }
        #expect(throws: KeywayError(.invalidParameterValue, subject: "tags.2.member.key")) {
            try Tag.validateIAM(
                [Tag(key: "ok", value: ""), Tag(key: String(repeating: "k", count: 129), value: "")],
                keysIgnoreCase: true,
                resource: "user"
            )
        }
        // Lengths are the model's, in UTF-16 code units: 64 characters outside the BMP are 128 units.
        #expect(throws: Never.self) {
            try Tag.validateIAM(
                [Tag(key: String(repeating: "𝒜", count: 64), value: "")],
                keysIgnoreCase: true,
                resource: "user"
            )
        }
        #expect(throws: KeywayError(.invalidParameterValue, subject: "tags.1.member.key")) {
            try Tag.validateIAM(
                [Tag(key: String(repeating: "𝒜", count: 65), value: "")],
                keysIgnoreCase: true,
                resource: "user"
            )
        }
    }

    @Test func tagUntagAndList() async throws {
        let (service, root) = try await Self.service()
        let created = try await service.createUser(
            by: root,
            name: "zhang",
            path: nil,
            tags: [Tag(key: "team", value: "Engineering"), Tag(key: "Cost", value: "1")]
        )
        #expect(created.tags == [Tag(key: "Cost", value: "1"), Tag(key: "team", value: "Engineering")])
        try await service.tagUser(
            by: root,
            name: "ZHANG",
            tags: [Tag(key: "Team", value: "QA"), Tag(key: "phone", value: "")]
        )
        #expect(
            try await service.getUser(by: root, name: "zhang")?.tags
                == [Tag(key: "Cost", value: "1"), Tag(key: "Team", value: "QA"), Tag(key: "phone", value: "")]
        )
        try await service.untagUser(by: root, name: "zhang", keys: ["COST", "absent"])
        var keys: [String] = []
        var marker: String?
        repeat {
            let page = try await service.userTags(by: root, name: "zhang", marker: marker, maxItems: 1)
            keys += page.items.map(\.key)
            marker = page.marker
        } while marker != nil
        #expect(keys == ["Team", "phone"])
        await #expect(throws: KeywayError(.userNotFound, subject: "nobody")) {
            try await service.tagUser(by: root, name: "nobody", tags: [Tag(key: "k", value: "v")])
        }
        await #expect(throws: KeywayError(.userNotFound, subject: "nobody")) {
            try await service.untagUser(by: root, name: "nobody", keys: ["k"])
        }
    }

    @Test func fiftyTagsAtMostAndNothingChangesBeyond() async throws {
        let (service, root) = try await Self.service()
        let fifty = (1...50).map { Tag(key: "k\($0)", value: "v") }
        _ = try await service.createUser(by: root, name: "u", path: nil, tags: fifty)
        await #expect(throws: KeywayError(.tagLimitExceeded, subject: "u")) {
            try await service.tagUser(by: root, name: "u", tags: [Tag(key: "one-more", value: "")])
        }
        try await service.tagUser(by: root, name: "u", tags: [Tag(key: "K1", value: "replaced")])
        let tags = try #require(try await service.getUser(by: root, name: "u")?.tags)
        #expect(tags.count == 50)
        #expect(tags.contains(Tag(key: "K1", value: "replaced")))
        await #expect(throws: KeywayError(.invalidParameterValue, subject: "tags")) {
            try await service.createUser(by: root, name: "v", path: nil, tags: fifty + [Tag(key: "x", value: "")])
        }
    }

    /// Tagging is not among the actions a user may call on itself without policies.
    @Test func onlyTheRootTagsUsers() async throws {
        let (service, root) = try await Self.service()
        let alice = try await service.createUser(by: root, name: "alice", path: nil)
        let asAlice = Principal(account: root.account, user: alice, accessKeyID: nil)
        await #expect(throws: KeywayError(.accessDenied, subject: "iam:TagUser")) {
            try await service.tagUser(by: asAlice, name: "alice", tags: [Tag(key: "k", value: "v")])
        }
        await #expect(throws: KeywayError(.accessDenied, subject: "iam:UntagUser")) {
            try await service.untagUser(by: asAlice, name: "alice", keys: ["k"])
        }
        await #expect(throws: KeywayError(.accessDenied, subject: "iam:ListUserTags")) {
            try await service.userTags(by: asAlice, name: "alice", marker: nil, maxItems: nil)
        }
        try await service.tagUser(by: root, name: "alice", tags: [Tag(key: "k", value: "v")])
        #expect(try await service.getUser(by: root, name: "ALICE")?.tags == [Tag(key: "k", value: "v")])
    }
}
