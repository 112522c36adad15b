import AWSProtocol
import KeyFormats
import KeywayCore

extension IAMService {
    func uploadSSHPublicKey(_ parameters: QueryParameters, context: Context) async throws -> String {
        let key = try await self.identity.uploadSSHPublicKey(
            by: context.principal, userName: try parameters.required("UserName"), body: try parameters.required("SSHPublicKeyBody")
        )
        return Self.response("UploadSSHPublicKey", requestID: context.requestID) { writer in
            writer.element("SSHPublicKey") { writer in Self.write(key, body: key.body, into: &writer) }
        }
    }

    /// GetSSHPublicKey: `Encoding` SSH gives the `ssh-rsa` line, PEM the SubjectPublicKeyInfo PEM.
    func getSSHPublicKey(_ parameters: QueryParameters, context: Context) async throws -> String {
        let encoding = try parameters.required("Encoding")
        guard encoding == "SSH" || encoding == "PEM" else {
            throw AWSError(
                code: "ValidationError",
                message: "1 validation error detected: Value '\(encoding.prefix(40))' at 'encoding' failed to satisfy constraint: Member must satisfy enum value set: [SSH, PEM]"
            )
        }
        let key = try await self.identity.sshPublicKey(
            by: context.principal, userName: try parameters.required("UserName"), id: try parameters.required("SSHPublicKeyId")
        )
        var body = key.body
        if encoding == "PEM" {
            body = try PublicKey(openSSHPublicKey: key.body).pemRepresentation
        }
        return Self.response("GetSSHPublicKey", requestID: context.requestID) { writer in
            writer.element("SSHPublicKey") { writer in Self.write(key, body: body, into: &writer) }
        }
    }

    func listSSHPublicKeys(_ parameters: QueryParameters, context: Context) async throws -> String {
        let page = try await self.identity.listSSHPublicKeys(
            by: context.principal, userName: parameters["UserName"], marker: parameters["Marker"], maxItems: try parameters.maxItems()
        )
        return Self.response("ListSSHPublicKeys", requestID: context.requestID) { writer in
            writer.element("SSHPublicKeys") { writer in
                for key in page.items {
                    writer.element("member") { writer in
                        writer.element("UserName", key.userName)
                        writer.element("SSHPublicKeyId", key.id.rawValue)
                        writer.element("Status", key.status.rawValue)
                        writer.element("UploadDate", Self.timestamp(key.uploadDate))
                    }
                }
            }
            writer.pagination(marker: page.marker)
        }
    }

    func updateSSHPublicKey(_ parameters: QueryParameters, context: Context) async throws -> String {
        let statusText = try parameters.required("Status")
        guard let status = AccessKey.Status(rawValue: statusText) else {
            throw AWSError(
                code: "ValidationError",
                message: "1 validation error detected: Value '\(statusText.prefix(40))' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"
            )
        }
        try await self.identity.updateSSHPublicKey(
            by: context.principal, userName: try parameters.required("UserName"), id: try parameters.required("SSHPublicKeyId"),
            status: status
        )
        return Self.response("UpdateSSHPublicKey", requestID: context.requestID)
    }

    func deleteSSHPublicKey(_ parameters: QueryParameters, context: Context) async throws -> String {
        try await self.identity.deleteSSHPublicKey(
            by: context.principal, userName: try parameters.required("UserName"), id: try parameters.required("SSHPublicKeyId")
        )
        return Self.response("DeleteSSHPublicKey", requestID: context.requestID)
    }

    static func write(_ key: UserSSHPublicKey, body: String, into writer: inout XMLWriter) {
        writer.element("UserName", key.userName)
        writer.element("SSHPublicKeyId", key.id.rawValue)
        writer.element("Fingerprint", key.fingerprint)
        writer.element("SSHPublicKeyBody", body)
        writer.element("Status", key.status.rawValue)
        writer.element("UploadDate", Self.timestamp(key.uploadDate))
    }
}
