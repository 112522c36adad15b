import AWSProtocol
import KeywayCore

extension IAMService {
    /// UploadServerCertificate: the private key is checked against the certificate, stored sealed, never returned.
    func uploadServerCertificate(_ parameters: QueryParameters, context: Context) async throws -> String {
        var input = IAMValidation(parameters)
        let name = input.required("ServerCertificateName", .serverCertificateName)
        let path = input.optional("Path", .path)
        let body = input.required("CertificateBody", .certificateBody)
        let privateKey = input.required("PrivateKey", .privateKey)
        let chain = input.optional("CertificateChain", .certificateChain)
        let tags = input.tags()
        try input.check()
        let certificate = try await self.certificates.upload(
            by: context.principal,
            name: name,
            path: path,
            body: body,
            privateKey: privateKey,
            chain: chain,
            tags: tags
        )
        return Self.response("UploadServerCertificate", requestID: context.requestID) { writer in
            writer.element("ServerCertificateMetadata") { writer in Self.writeMetadata(certificate, into: &writer) }
            if !certificate.tags.isEmpty { Self.writeTags(certificate.tags, into: &writer) }
        }
    }

    func getServerCertificate(_ parameters: QueryParameters, context: Context) async throws -> String {
        var input = IAMValidation(parameters)
        let name = input.required("ServerCertificateName", .serverCertificateName)
        try input.check()
        let certificate = try await self.certificates.get(by: context.principal, name: name)
        return Self.response("GetServerCertificate", requestID: context.requestID) { writer in
            writer.element("ServerCertificate") { writer in
                writer.element("ServerCertificateMetadata") { writer in Self.writeMetadata(certificate, into: &writer) }
                writer.element("CertificateBody", certificate.body)
                writer.element("CertificateChain", ifPresent: certificate.chain)
                Self.writeTags(certificate.tags, into: &writer)
            }
        }
    }

    func listServerCertificates(_ parameters: QueryParameters, context: Context) async throws -> String {
        var input = IAMValidation(parameters)
        let pathPrefix = input.optional("PathPrefix", .pathPrefix)
        let marker = input.marker()
        let maxItems = try input.maxItems()
        try input.check()
        let page = try await self.certificates.list(
            by: context.principal,
            pathPrefix: pathPrefix,
            marker: marker,
            maxItems: maxItems
        )
        return Self.response("ListServerCertificates", requestID: context.requestID) { writer in
            writer.element("ServerCertificateMetadataList") { writer in
                for certificate in page.items {
                    writer.element("member") { writer in Self.writeMetadata(certificate, into: &writer) }
                }
            }
            writer.pagination(marker: page.marker)
        }
    }

    func updateServerCertificate(_ parameters: QueryParameters, context: Context) async throws -> String {
        var input = IAMValidation(parameters)
        let name = input.required("ServerCertificateName", .serverCertificateName)
        let newPath = input.optional("NewPath", .path)
        let newName = input.optional("NewServerCertificateName", .serverCertificateName)
        try input.check()
        try await self.certificates.update(by: context.principal, name: name, newName: newName, newPath: newPath)
        return Self.response("UpdateServerCertificate", requestID: context.requestID)
    }

    func deleteServerCertificate(_ parameters: QueryParameters, context: Context) async throws -> String {
        var input = IAMValidation(parameters)
        let name = input.required("ServerCertificateName", .serverCertificateName)
        try input.check()
        try await self.certificates.delete(by: context.principal, name: name)
        return Self.response("DeleteServerCertificate", requestID: context.requestID)
    }

    static func writeMetadata(_ certificate: ServerCertificate, into writer: inout XMLWriter) {
        writer.element("Path", certificate.path)
        writer.element("ServerCertificateName", certificate.name)
        writer.element("ServerCertificateId", certificate.id.rawValue)
        writer.element("Arn", certificate.arn)
        writer.element("UploadDate", Self.timestamp(certificate.uploadDate))
        writer.element("Expiration", Self.timestamp(certificate.expiration))
    }

    /// `<Tags>` with a `<member><Key/><Value/></member>` a tag; present, possibly empty.
    static func writeTags(_ tags: [Tag], into writer: inout XMLWriter) {
        writer.element("Tags") { writer in
            for tag in tags {
                writer.element("member") { writer in
                    writer.element("Key", tag.key)
                    writer.element("Value", tag.value)
                }
            }
        }
    }
}
