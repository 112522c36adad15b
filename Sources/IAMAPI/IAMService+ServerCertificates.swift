import AWSProtocol
import KeywayCore

extension IAMService {
    /// UploadServerCertificate: the private key is checked against the certificate, stored sealed, never returned.
    func uploadServerCertificate(_ parameters: QueryParameters, context: Context) async throws -> String {
        let certificate = try await self.certificates.upload(
            by: context.principal, name: try parameters.required("ServerCertificateName"), path: parameters["Path"],
            body: try parameters.required("CertificateBody"), privateKey: try parameters.required("PrivateKey"),
            chain: parameters["CertificateChain"], tags: try Self.tags(parameters)
        )
        return Self.response("UploadServerCertificate", requestID: context.requestID) { writer in
            writer.element("ServerCertificateMetadata") { writer in Self.writeMetadata(certificate, into: &writer) }
            if !certificate.tags.isEmpty { Self.writeTags(certificate.tags, into: &writer) }
        }
    }

    func getServerCertificate(_ parameters: QueryParameters, context: Context) async throws -> String {
        let certificate = try await self.certificates.get(by: context.principal, name: try parameters.required("ServerCertificateName"))
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
        let page = try await self.certificates.list(
            by: context.principal, pathPrefix: parameters["PathPrefix"], marker: parameters["Marker"], maxItems: try parameters.maxItems()
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
        try await self.certificates.update(
            by: context.principal, name: try parameters.required("ServerCertificateName"),
            newName: parameters["NewServerCertificateName"], newPath: parameters["NewPath"]
        )
        return Self.response("UpdateServerCertificate", requestID: context.requestID)
    }

    func deleteServerCertificate(_ parameters: QueryParameters, context: Context) async throws -> String {
        try await self.certificates.delete(by: context.principal, name: try parameters.required("ServerCertificateName"))
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

    /// `Tags.member.N.Key` and `Tags.member.N.Value`.
    static func tags(_ parameters: QueryParameters) throws(AWSError) -> [Tag] {
        var tags: [Tag] = []
        for member in parameters.structures("Tags.member") {
            guard let key = member["Key"] else { throw AWSError.missingParameter("Tags.member.Key") }
            tags.append(Tag(key: key, value: member["Value"] ?? ""))
        }
        return tags
    }
}
