/// Tags on IAM users (TagUser, UntagUser, ListUserTags; CreateUser's `Tags`), with IAM's rules for users: keys compare
/// regardless of case and keep the case last given, 50 tags a user, `aws:` reserved (see `Tag+IAM.swift`).
extension IdentityService {
    /// Adds tags to a user; a tag whose key the user already has, in any case, replaces it. Throws
    /// ``KeywayError/Code/tagLimitExceeded`` when the user would have more than 50 tags, and nothing changes.
    public func tagUser(by principal: Principal, name: String, tags: [Tag]) async throws {
        try Self.validateUserTags(tags)
        try Self.authorize(principal, action: "iam:TagUser", resource: self.userARN(principal.account, name))
        try await self.store.updateUserTags(in: principal.account, named: name) { existing in
            let merged = Tag.mergingIAMUserTags(tags, into: existing)
            guard merged.count <= IAMUser.tagLimit else { throw KeywayError(.tagLimitExceeded, subject: name) }
            return merged
        }
    }

    /// Removes the tags with these keys, matched regardless of case; keys the user does not have are ignored.
    public func untagUser(by principal: Principal, name: String, keys: [String]) async throws {
        guard keys.count <= IAMUser.tagLimit else {
            throw KeywayError(
                .invalidParameterValue,
                subject: "tagKeys",
                detail: "must have length less than or equal to 50"
            )
        }
        try Self.authorize(principal, action: "iam:UntagUser", resource: self.userARN(principal.account, name))
        try await self.store.updateUserTags(in: principal.account, named: name) { existing in
            Tag.removingIAMUserTags(keys, from: existing)
        }
    }

    /// A page of a user's tags, ordered by key (API_ListUserTags: "The returned list of tags is sorted by tag key").
    public func userTags(
        by principal: Principal,
        name: String,
        marker: String?,
        maxItems: Int?
    ) async throws -> Page<Tag> {
        try Self.authorize(principal, action: "iam:ListUserTags", resource: self.userARN(principal.account, name))
        guard let user = try await self.store.user(in: principal.account, named: name) else {
            throw KeywayError(.userNotFound, subject: name)
        }
        return try Self.page(user.tags.sorted { $0.key < $1.key }, marker: marker, maxItems: maxItems, key: \.key)
    }

    /// The tags of one request for a user: at most 50, each valid, no key twice in any case, no `aws:`.
    static func validateUserTags(_ tags: [Tag]) throws(KeywayError) {
        guard tags.count <= IAMUser.tagLimit else {
            throw KeywayError(
                .invalidParameterValue,
                subject: "tags",
                detail: "must have length less than or equal to 50"
            )
        }
        try Tag.validateIAM(tags, keysIgnoreCase: true, resource: "user")
    }
}

extension IAMUser {
    /// Tags a user may have (IAM and AWS STS quotas: "Tags per IAM user: 50").
    public static let tagLimit = 50
}
