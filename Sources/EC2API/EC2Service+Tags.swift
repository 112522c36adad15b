import AWSProtocol
import KeywayCore

extension EC2Service {
    /// CreateTags: `ResourceId.N` (key pair IDs), `Tag.N.Key`, `Tag.N.Value`, `DryRun`. All or nothing.
    ///
    /// A well-formed but unknown `key-…` ID is `InvalidKeyPair.NotFound` (AWS's code is unconfirmed; moto accepts it
    /// silently, which hides mistakes).
    func createTags(_ parameters: QueryParameters, context: Context) async throws -> String {
        let resources = parameters.list("ResourceId")
        let tags = try parameters.tags()
        try Self.checkDryRun(parameters)
        try await self.keyPairs.createTags(in: context.scope, resourceIDs: resources, tags: tags)
        return Self.response("CreateTags", context: context) { writer in writer.element("return", true) }
    }

    /// DeleteTags: `ResourceId.N`, optional `Tag.N.Key` with optional `Tag.N.Value`, `DryRun`.
    ///
    /// A key without a value removes the tag whatever its value; a value (even "") removes it only on a match; no
    /// `Tag` at all removes every user tag.
    func deleteTags(_ parameters: QueryParameters, context: Context) async throws -> String {
        let resources = parameters.list("ResourceId")
        var deletions: [TagDeletion] = []
        for structure in parameters.structures("Tag") {
            guard let key = structure["Key"] else { throw AWSError.missingParameter("Tag.Key") }
            deletions.append(TagDeletion(key: key, value: structure["Value"]))
        }
        try Self.checkDryRun(parameters)
        try await self.keyPairs.deleteTags(
            in: context.scope,
            resourceIDs: resources,
            deletions: deletions.isEmpty ? nil : deletions
        )
        return Self.response("DeleteTags", context: context) { writer in writer.element("return", true) }
    }

    /// DescribeTags: `Filter.N` (`key`, `value`, `resource-id`, `resource-type`, `tag:<key>`), `MaxResults`,
    /// `NextToken`, `DryRun`.
    func describeTags(_ parameters: QueryParameters, context: Context) async throws -> String {
        let filters = try parameters.filters()
        let maxResults = try parameters.int("MaxResults")
        let nextToken = parameters["NextToken"]
        try Self.checkDryRun(parameters)
        let page = try await self.keyPairs.describeTags(
            in: context.scope,
            filters: filters,
            maxResults: maxResults,
            nextToken: nextToken
        )
        return Self.response("DescribeTags", context: context) { writer in
            if page.tags.isEmpty {
                writer.emptyElement("tagSet")
            } else {
                writer.element("tagSet") { writer in
                    for tag in page.tags {
                        writer.element("item") { writer in
                            writer.element("resourceId", tag.resourceID)
                            writer.element("resourceType", tag.resourceType)
                            writer.element("key", tag.tag.key)
                            writer.element("value", tag.tag.value)
                        }
                    }
                }
            }
            writer.element("nextToken", ifPresent: page.nextToken)
        }
    }
}
