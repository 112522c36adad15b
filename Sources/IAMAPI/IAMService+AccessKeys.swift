import AWSProtocol
import KeywayCore

extension IAMService {
    /// CreateAccessKey: the only answer that ever carries a secret. Without `UserName`, a key of the caller's own.
    func createAccessKey(_ parameters: QueryParameters, context: Context) async throws -> String {
        var input = IAMValidation(parameters)
        let userName = input.optional("UserName", .existingUserName)
        try input.check()
        let issued = try await self.identity.createAccessKey(by: context.principal, userName: userName)
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
        var input = IAMValidation(parameters)
        let userName = input.optional("UserName", .existingUserName)
        let marker = input.marker()
        let maxItems = try input.maxItems()
        try input.check()
        let page = try await self.identity.listAccessKeys(
            by: context.principal,
            userName: userName,
            marker: marker,
            maxItems: maxItems
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
        var input = IAMValidation(parameters)
        let userName = input.optional("UserName", .existingUserName)
        let id = input.required("AccessKeyId", .accessKeyID)
        let status = AccessKey.Status(rawValue: input.required("Status", oneOf: AccessKey.Status.iamValues))
        try input.check()
        guard let status else {
            throw AWSError.serviceFailure(cause: "a Status that passed validation is not a known status")
        }
        try await self.identity.updateAccessKey(by: context.principal, userName: userName, id: id, status: status)
        return Self.response("UpdateAccessKey", requestID: context.requestID)
    }

    /// DeleteAccessKey; without `UserName`, one of the caller's own keys (the root's, for the root).
    func deleteAccessKey(_ parameters: QueryParameters, context: Context) async throws -> String {
        var input = IAMValidation(parameters)
        let userName = input.optional("UserName", .existingUserName)
        let id = input.required("AccessKeyId", .accessKeyID)
        try input.check()
        try await self.identity.deleteAccessKey(by: context.principal, userName: userName, id: id)
        return Self.response("DeleteAccessKey", requestID: context.requestID)
    }

    /// GetAccessKeyLastUsed: `N/A` for service and region before any use, and no date.
    func getAccessKeyLastUsed(_ parameters: QueryParameters, context: Context) async throws -> String {
        var input = IAMValidation(parameters)
        let id = input.required("AccessKeyId", .accessKeyID)
        try input.check()
        let (userName, lastUsed) = try await self.identity.accessKeyLastUsed(by: context.principal, id: id)
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

extension AccessKey.Status {
    /// The statuses IAM's update actions take. The model's `statusType` also lists `Expired`, which no documented
    /// action sets; Keyway refuses it with the others.
    static let iamValues = ["Active", "Inactive"]
}
