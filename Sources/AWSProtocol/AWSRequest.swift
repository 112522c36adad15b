/// An HTTP request to an AWS endpoint, free of any HTTP framework: what routing and signature checks read.
public struct AWSRequest: Sendable {
    /// The HTTP method, upper case (`POST`, `GET`).
    public var method: String
    /// The path without the query string, still percent-encoded as sent.
    public var path: String
    /// The raw query string after `?`, without the `?`; empty when there is none.
    public var query: String
    /// The header fields in the order received; names as sent.
    public var headers: [(name: String, value: String)]
    /// The body bytes.
    public var body: [UInt8]

    public init(method: String, path: String, query: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, matched case-insensitively.
    public func header(_ name: String) -> String? {
        self.headers.first { ASCII.caseInsensitiveEquals($0.name, name) }?.value
    }
}
