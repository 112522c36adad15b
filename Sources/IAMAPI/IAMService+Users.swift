import AWSProtocol
import KeywayCore

extension IAMService {
    func createUser(_ parameters: QueryParameters, context: Context) async throws -> String {
        let user = try await self.identity.createUser(
            by: context.principal, name: try parameters.required("UserName"), path: parameters["Path"]
        )
        return Self.response("CreateUser", requestID: context.requestID) { writer in
            writer.element("User") { writer in Self.write(user, into: &writer) }
        }
    }

    /// GetUser; without `UserName` the caller's own user, or for the root the account's root user.
    func getUser(_ parameters: QueryParameters, context: Context) async throws -> String {
        let user = try await self.identity.getUser(by: context.principal, name: parameters["UserName"])
        return Self.response("GetUser", requestID: context.requestID) { writer in
            writer.element("User") { writer in
                if let user {
                    Self.write(user, into: &writer)
                } else {
                    writer.element("UserId", context.principal.account.rawValue)
                    writer.element("Arn", context.principal.arn)
                }
            }
        }
    }

    func listUsers(_ parameters: QueryParameters, context: Context) async throws -> String {
        let page = try await self.identity.listUsers(
            by: context.principal, pathPrefix: parameters["PathPrefix"], marker: parameters["Marker"],
            maxItems: try parameters.maxItems()
        )
        return Self.response("ListUsers", requestID: context.requestID) { writer in
            writer.element("Users") { writer in
                for user in page.items {
                    writer.element("member") { writer in Self.write(user, into: &writer) }
                }
            }
            writer.pagination(marker: page.marker)
        }
    }

    func deleteUser(_ parameters: QueryParameters, context: Context) async throws -> String {
        try await self.identity.deleteUser(by: context.principal, name: try parameters.required("UserName"))
        return Self.response("DeleteUser", requestID: context.requestID)
    }

    static func write(_ user: IAMUser, into writer: inout XMLWriter) {
        writer.element("Path", user.path)
        writer.element("UserName", user.name)
        writer.element("UserId", user.id.rawValue)
        writer.element("Arn", user.arn)
        writer.element("CreateDate", Self.timestamp(user.createTime))
    }
}
