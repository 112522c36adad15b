import AWSProtocol
import KeywayCore

extension IAMService {
    /// CreateUser, with `Tags.member.N` (IAM's user tag rules); the new user's tags are in the answer when it has any.
    func createUser(_ parameters: QueryParameters, context: Context) async throws -> String {
        var input = IAMValidation(parameters)
        let name = input.required("UserName", .userName)
        let path = input.optional("Path", .path)
        let tags = input.tags()
        try input.check()
        let user = try await self.identity.createUser(by: context.principal, name: name, path: path, tags: tags)
        return Self.response("CreateUser", requestID: context.requestID) { writer in
            writer.element("User") { writer in Self.write(user, withTags: true, into: &writer) }
        }
    }

    /// GetUser; without `UserName` the caller's own user, or for the root the account's root user.
    func getUser(_ parameters: QueryParameters, context: Context) async throws -> String {
        var input = IAMValidation(parameters)
        let name = input.optional("UserName", .existingUserName)
        try input.check()
        let user = try await self.identity.getUser(by: context.principal, name: name)
        return Self.response("GetUser", requestID: context.requestID) { writer in
            writer.element("User") { writer in
                if let user {
                    Self.write(user, withTags: true, into: &writer)
                } else {
                    writer.element("UserId", context.principal.account.rawValue)
                    writer.element("Arn", context.principal.arn)
                }
            }
        }
    }

    /// ListUsers; its members carry no tags (API_ListUsers: "This operation does not return … Tags").
    func listUsers(_ parameters: QueryParameters, context: Context) async throws -> String {
        var input = IAMValidation(parameters)
        let pathPrefix = input.optional("PathPrefix", .pathPrefix)
        let marker = input.marker()
        let maxItems = try input.maxItems()
        try input.check()
        let page = try await self.identity.listUsers(
            by: context.principal,
            pathPrefix: pathPrefix,
            marker: marker,
            maxItems: maxItems
        )
        return Self.response("ListUsers", requestID: context.requestID) { writer in
            writer.element("Users") { writer in
                for user in page.items {
                    writer.element("member") { writer in Self.write(user, withTags: false, into: &writer) }
                }
            }
            writer.pagination(marker: page.marker)
        }
    }

    func deleteUser(_ parameters: QueryParameters, context: Context) async throws -> String {
        var input = IAMValidation(parameters)
        let name = input.required("UserName", .existingUserName)
        try input.check()
        try await self.identity.deleteUser(by: context.principal, name: name)
        return Self.response("DeleteUser", requestID: context.requestID)
    }

    /// A `User` in the model's order; `Tags` last and only when the user has tags, as AWS answers.
    static func write(_ user: IAMUser, withTags: Bool, into writer: inout XMLWriter) {
        writer.element("Path", user.path)
        writer.element("UserName", user.name)
        writer.element("UserId", user.id.rawValue)
        writer.element("Arn", user.arn)
        writer.element("CreateDate", Self.timestamp(user.createTime))
        if withTags && !user.tags.isEmpty { Self.writeTags(user.tags, into: &writer) }
    }
}
