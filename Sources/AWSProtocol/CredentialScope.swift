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
        var credential = credential
        guard let scope = credential.withUTF8({ CredentialScope(bytes: $0[...]) }) else { return nil }
        self = scope
    }

    /// Parses `AKID/date/region/service/aws4_request` from UTF-8 bytes; this runs for every request.
    init?(bytes: Slice<UnsafeBufferPointer<UInt8>>) {
        // The four slashes, found without allocating.
        var slashes = (0, 0, 0, 0)
        var found = 0
        for index in bytes.indices where bytes[index] == UInt8(ascii: "/") {
            switch found {
            case 0: slashes.0 = index
            case 1: slashes.1 = index
            case 2: slashes.2 = index
            case 3: slashes.3 = index
            default: return nil
            }
            found += 1
        }
        guard found == 4 else { return nil }
        let accessKeyID = bytes.startIndex..<slashes.0
        let date = (slashes.0 + 1)..<slashes.1
        let region = (slashes.1 + 1)..<slashes.2
        let service = (slashes.2 + 1)..<slashes.3
        guard bytes[(slashes.3 + 1)...].elementsEqual("aws4_request".utf8), !accessKeyID.isEmpty, date.count == 8,
            !region.isEmpty, !service.isEmpty
        else { return nil }
        self.accessKeyID = ASCII.string(bytes[accessKeyID])
        self.date = ASCII.string(bytes[date])
        self.region = ASCII.string(bytes[region])
        self.service = ASCII.string(bytes[service])
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
