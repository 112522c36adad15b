import HTTPTypes

/// A rendered AWS answer: status, content type and body, ready for any HTTP server to send.
public struct XMLResponse: Sendable {
    public var status: HTTPResponse.Status
    public var body: String
    public var contentType: String

    public init(status: HTTPResponse.Status = .ok, body: String, contentType: String = "text/xml;charset=UTF-8") {
        self.status = status
        self.body = body
        self.contentType = contentType
    }

    /// EC2's error envelope: `<Response><Errors><Error>` with one error, then `<RequestID>`, and no namespace.
    public static func ec2Error(_ error: AWSError, requestID: String) -> XMLResponse {
        var writer = XMLWriter(capacity: 256)
        writer.element("Response") { writer in
            writer.element("Errors") { writer in
                writer.element("Error") { writer in
                    writer.element("Code", error.code)
                    writer.element("Message", error.message)
                }
            }
            writer.element("RequestID", requestID)
        }
        return XMLResponse(status: error.status, body: writer.text)
    }

    /// The Query protocol's error envelope (IAM, STS): `<ErrorResponse><Error>` with `<Type>`, then `<RequestId>`.
    public static func queryError(_ error: AWSError, requestID: String, namespace: String) -> XMLResponse {
        var writer = XMLWriter(capacity: 256)
        writer.element("ErrorResponse", namespace: namespace) { writer in
            writer.element("Error") { writer in
                writer.element("Type", error.faultType)
                writer.element("Code", error.code)
                writer.element("Message", error.message)
            }
            writer.element("RequestId", requestID)
        }
        return XMLResponse(status: error.status, body: writer.text)
    }
}
