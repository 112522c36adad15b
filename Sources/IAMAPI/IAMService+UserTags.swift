import AWSProtocol
import KeywayCore

extension IAMService {
    /// TagUser: adds or replaces tags (keys match regardless of case); more than 50 on the user is `LimitExceeded`.
    func tagUser(_ parameters: QueryParameters, context: Context) async throws -> String {
        var input = IAMValidation(parameters)
        let name = input.required("UserName", .existingUserName)
        let tags = input.tags(required: true)
        try input.check()
        try await self.identity.tagUser(by: context.principal, name: name, tags: tags)
        return Self.response("TagUser", requestID: context.requestID)
    }

    /// UntagUser: `TagKeys.member.N`; keys the user does not have are ignored.
    func untagUser(_ parameters: QueryParameters, context: Context) async throws -> String {
        var input = IAMValidation(parameters)
        let name = input.required("UserName", .existingUserName)
        let keys = input.required(tagKeys: "TagKeys")
        try input.check()
        try await self.identity.untagUser(by: context.principal, name: name, keys: keys)
        return Self.response("UntagUser", requestID: context.requestID)
    }

    /// ListUserTags: ordered by key, `Marker`/`MaxItems`; `Tags` is present, possibly empty.
    func listUserTags(_ parameters: QueryParameters, context: Context) async throws -> String {
        var input = IAMValidation(parameters)
        let name = input.required("UserName", .existingUserName)
        let marker = input.marker()
        let maxItems = try input.maxItems()
        try input.check()
        let page = try await self.identity.userTags(
            by: context.principal,
            name: name,
            marker: marker,
            maxItems: maxItems
        )
        return Self.response("ListUserTags", requestID: context.requestID) { writer in
            Self.writeTags(page.items, into: &writer)
            writer.pagination(marker: page.marker)
        }
    }
}
