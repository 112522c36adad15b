import AWSProtocol
import KeyFormats
import KeywayCore

extension IAMService {
    func uploadSSHPublicKey(_ parameters: QueryParameters, context: Context) async throws -> String {
        var input = IAMValidation(parameters)
        let userName = input.required("UserName", .userName)
        let body = input.required("SSHPublicKeyBody", .publicKeyMaterial)
        try input.check()
        let key = try await self.identity.uploadSSHPublicKey(by: context.principal, userName: userName, body: body)
        return Self.response("UploadSSHPublicKey", requestID: context.requestID) { writer in
            writer.element("SSHPublicKey") { writer in Self.write(key, body: key.body, into: &writer) }
        }
    }

    /// GetSSHPublicKey: `Encoding` SSH gives the `ssh-rsa` line, PEM the SubjectPublicKeyInfo PEM.
    func getSSHPublicKey(_ parameters: QueryParameters, context: Context) async throws -> String {
        var input = IAMValidation(parameters)
        let userName = input.required("UserName", .userName)
        let id = input.required("SSHPublicKeyId", .publicKeyID)
        let encoding = input.required("Encoding", oneOf: ["SSH", "PEM"])
        try input.check()
        let key = try await self.identity.sshPublicKey(by: context.principal, userName: userName, id: id)
        var body = key.body
        if encoding == "PEM" {
            body = try PublicKey(openSSHPublicKey: key.body).pemRepresentation
        }
        return Self.response("GetSSHPublicKey", requestID: context.requestID) { writer in
            writer.element("SSHPublicKey") { writer in Self.write(key, body: body, into: &writer) }
        }
    }

    func listSSHPublicKeys(_ parameters: QueryParameters, context: Context) async throws -> String {
        var input = IAMValidation(parameters)
        let userName = input.optional("UserName", .userName)
        let marker = input.marker()
        let maxItems = try input.maxItems()
        try input.check()
        let page = try await self.identity.listSSHPublicKeys(
            by: context.principal,
            userName: userName,
            marker: marker,
            maxItems: maxItems
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
        var input = IAMValidation(parameters)
        let userName = input.required("UserName", .userName)
        let id = input.required("SSHPublicKeyId", .publicKeyID)
        let status = AccessKey.Status(rawValue: input.required("Status", oneOf: AccessKey.Status.iamValues))
        try input.check()
        guard let status else {
            throw AWSError.serviceFailure(cause: "a Status that passed validation is not a known status")
        }
        try await self.identity.updateSSHPublicKey(by: context.principal, userName: userName, id: id, status: status)
        return Self.response("UpdateSSHPublicKey", requestID: context.requestID)
    }

    func deleteSSHPublicKey(_ parameters: QueryParameters, context: Context) async throws -> String {
        var input = IAMValidation(parameters)
        let userName = input.required("UserName", .userName)
        let id = input.required("SSHPublicKeyId", .publicKeyID)
        try input.check()
        try await self.identity.deleteSSHPublicKey(by: context.principal, userName: userName, id: id)
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
