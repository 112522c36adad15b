import Foundation

extension KeyPairService {
    /// The resource type name EC2 gives key pairs in tag listings and TagSpecifications.
    public static let keyPairResourceType = "key-pair"

    /// Adds or overwrites tags on key pairs, all or nothing (EC2 CreateTags).
    public func createTags(in scope: Scope, resourceIDs: [String], tags: [Tag]) async throws {
        let ids = try Self.keyPairIDs(resourceIDs)
        guard !tags.isEmpty else { throw KeywayError(.missingParameter, subject: "Tag") }
        for tag in tags { try tag.validate() }
        // A key given twice in one call: the last value wins, as when tags are set one call after another.
        var merged: [Tag] = []
        merged.merge(tags)
        try await self.store.createTags(in: scope, on: ids, tags: merged, limit: Tag.maximumPerResource)
    }

    /// Removes tags from key pairs, all or nothing (EC2 DeleteTags); `deletions` nil removes every tag.
    public func deleteTags(in scope: Scope, resourceIDs: [String], deletions: [TagDeletion]?) async throws {
        let ids = try Self.keyPairIDs(resourceIDs)
        if let deletions {
            for deletion in deletions where deletion.key.lowercased().hasPrefix("aws:") {
                throw KeywayError(
                    .invalidParameterValue,
                    subject: "Tag.Key",
                    detail: "Tag keys starting with 'aws:' are reserved for internal use."
                )
            }
        }
        try await self.store.deleteTags(in: scope, on: ids, deletions: deletions)
    }

    /// The filters DescribeTags supports, besides `tag:<key>`.
    public static let describeTagsFilters: Set<String> = ["key", "value", "resource-id", "resource-type"]

    /// Lists the tags in the scope that pass the filters, ordered by resource and key, a page at a time
    /// (EC2 DescribeTags). `maxResults` is 5 to 1000; the token continues after the last tag of the previous page.
    public func describeTags(
        in scope: Scope,
        filters: [Filter],
        maxResults: Int?,
        nextToken: String?
    ) async throws -> (tags: [ResourceTag], nextToken: String?) {
        for filter in filters { try filter.validate(supported: Self.describeTagsFilters) }
        if let maxResults, !(5...1000).contains(maxResults) {
            throw KeywayError(
                .invalidParameterValue,
                subject: "MaxResults",
                detail: "MaxResults must be from 5 to 1000."
            )
        }
        let after = try nextToken.map { token throws(KeywayError) in try PageToken.decode(token, fields: 2) }
        var tags: [ResourceTag] = []
        for pair in try await self.store.keyPairs(in: scope) {
            for tag in pair.tags {
                tags.append(ResourceTag(resourceID: pair.id.rawValue, resourceType: Self.keyPairResourceType, tag: tag))
            }
        }
        tags.sort { ($0.resourceID, $0.tag.key) < ($1.resourceID, $1.tag.key) }
        var page = tags.filter { tag in filters.allSatisfy { tag.passes($0) } }
        if let after {
            page.removeAll { ($0.resourceID, $0.tag.key) <= (after[0], after[1]) }
        }
        let limit = maxResults ?? 1000
        guard page.count > limit else { return (page, nil) }
        page.removeLast(page.count - limit)
        let last = page[page.count - 1]
        return (page, PageToken.encode([last.resourceID, last.tag.key]))
    }

    private static func keyPairIDs(_ resourceIDs: [String]) throws(KeywayError) -> [KeyPairID] {
        guard !resourceIDs.isEmpty else { throw KeywayError(.missingParameter, subject: "ResourceId") }
        guard resourceIDs.count <= 1000 else {
            throw KeywayError(.invalidParameterValue, subject: "ResourceId", detail: "At most 1000 resources per call.")
        }
        var ids: [KeyPairID] = []
        for resourceID in resourceIDs {
            guard let id = KeyPairID(rawValue: resourceID) else {
                throw KeywayError(.invalidResourceID, subject: resourceID)
            }
            ids.append(id)
        }
        return ids
    }
}

extension ResourceTag {
    func passes(_ filter: Filter) -> Bool {
        switch filter.name {
        case "key": filter.matches(self.tag.key)
        case "value": filter.matches(self.tag.value)
        case "resource-id": filter.matches(self.resourceID)
        case "resource-type": filter.matches(self.resourceType)
        default: filter.matchesTag(in: CollectionOfOne(self.tag))
        }
    }
}
