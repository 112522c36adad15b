import AWSProtocol
import KeywayCore

extension IAMService {
    /// CreateAccessKey: the only answer that ever carries a secret.
    func createAccessKey(_ parameters: QueryParameters, context: Context) async throws -> String {
        let issued = try await self.identity.createAccessKey(by: context.principal, userName: parameters["UserName"])
        return Self.response("CreateAccessKey", requestID: context.requestID) { writer in
            writer.element("AccessKey") { writer in
                writer.element("UserName", ifPresent: issued.key.userName)
                writer.element("AccessKeyId", issued.key.id.rawValue)
                writer.element("Status", issued.key.status.rawValue)
                writer.element("SecretAccessKey", issued.secret.value)
                writer.element("CreateDate", Self.timestamp(issued.key.createTime))
            }
        }
    }

    func listAccessKeys(_ parameters: QueryParameters, context: Context) async throws -> String {
        let page = try await self.identity.listAccessKeys(
            by: context.principal, userName: parameters["UserName"], marker: parameters["Marker"],
            maxItems: try parameters.maxItems()
        )
        return Self.response("ListAccessKeys", requestID: context.requestID) { writer in
            writer.element("AccessKeyMetadata") { writer in
                for key in page.items {
                    writer.element("member") { writer in
                        writer.element("UserName", ifPresent: key.userName)
                        writer.element("AccessKeyId", key.id.rawValue)
                        writer.element("Status", key.status.rawValue)
                        writer.element("CreateDate", Self.timestamp(key.createTime))
                    }
                }
            }
            writer.pagination(marker: page.marker)
        }
    }

    func updateAccessKey(_ parameters: QueryParameters, context: Context) async throws -> String {
        let id = try parameters.required("AccessKeyId")
        let statusText = try parameters.required("Status")
        guard let status = AccessKey.Status(rawValue: statusText) else {
            throw AWSError(
                code: "ValidationError",
                message: "1 validation error detected: Value '\(statusText.prefix(40))' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"
            )
        }
        try await self.identity.updateAccessKey(by: context.principal, userName: parameters["UserName"], id: id, status: status)
        return Self.response("UpdateAccessKey", requestID: context.requestID)
    }

    func deleteAccessKey(_ parameters: QueryParameters, context: Context) async throws -> String {
        let id = try parameters.required("AccessKeyId")
        try await self.identity.deleteAccessKey(by: context.principal, userName: parameters["UserName"], id: id)
        return Self.response("DeleteAccessKey", requestID: context.requestID)
    }

    /// GetAccessKeyLastUsed: `N/A` for service and region before any use, and no date.
    func getAccessKeyLastUsed(_ parameters: QueryParameters, context: Context) async throws -> String {
        let (userName, lastUsed) = try await self.identity.accessKeyLastUsed(
            by: context.principal, id: try parameters.required("AccessKeyId")
        )
        return Self.response("GetAccessKeyLastUsed", requestID: context.requestID) { writer in
            writer.element("UserName", ifPresent: userName)
            writer.element("AccessKeyLastUsed") { writer in
                if let lastUsed {
                    writer.element("LastUsedDate", Self.timestamp(lastUsed.date))
                }
                writer.element("ServiceName", lastUsed?.service ?? "N/A")
                writer.element("Region", lastUsed?.region ?? "N/A")
            }
        }
    }
}
