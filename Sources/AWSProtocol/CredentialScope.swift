/// The credential scope of a SigV4-signed request: `AKID/20261123/us-east-1/ec2/aws4_request`.
///
/// Read from the `Authorization` header or a presigned URL's `X-Amz-Credential`; it names the region the client is
/// configured for and the service it signed for. Verifying the signature is separate.
public struct CredentialScope: Hashable, Sendable {
    public var accessKeyID: String
    /// `YYYYMMDD`.
    public var date: String
    public var region: String
    public var service: String

    /// Parses `AKID/date/region/service/aws4_request`.
    public init?(credential: Substring) {
        // Split as UTF-8 bytes: "/" is ASCII, and this runs for every request.
        let parts = credential.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard parts.count == 5, parts[4].elementsEqual("aws4_request".utf8), !parts[0].isEmpty, parts[1].count == 8,
            !parts[2].isEmpty, !parts[3].isEmpty
        else { return nil }
        self.accessKeyID = String(Substring(parts[0]))
        self.date = String(Substring(parts[1]))
        self.region = String(Substring(parts[2]))
        self.service = String(Substring(parts[3]))
    }

    /// The scope of a request's SigV4 signature, from its `Authorization` header or its presigned query; nil when
    /// the request is not signed with SigV4 or the scope is malformed.
    public init?(request: AWSRequest, parameters: QueryParameters) {
        if let authorization = request.header("Authorization") {
            guard authorization.hasPrefix("AWS4-HMAC-SHA256 "),
                let range = authorization.firstRange(of: "Credential=")
            else { return nil }
            let rest = authorization[range.upperBound...]
            self.init(credential: rest.prefix { $0 != "," && $0 != " " })
        } else if let credential = parameters["X-Amz-Credential"] {
            self.init(credential: credential[...])
        } else {
            return nil
        }
    }
}
