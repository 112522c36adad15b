import HTTPTypes

/// An error as an AWS service reports it: a code such as `InvalidKeyPair.NotFound`, a message, and an HTTP status.
///
/// This is the one error type of the `AWSProtocol` module. Service targets create these from domain errors, and the
/// server renders them in the service's envelope (see ``XMLResponse``); nothing else assigns AWS codes or statuses.
/// Messages are shown to clients and logged, so they must never hold secrets.
public struct AWSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The wire code, without the `Client.`/`Server.` prefixes that some documents show.
    public let code: String
    /// The message, exactly as AWS words it where that is known.
    public let message: String
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// For a server fault, what caused it: logged once with the request ID, never sent to the client, and never a
    /// secret. Not part of equality.
    public let cause: String?

    public init(code: String, message: String, status: HTTPResponse.Status = .badRequest, cause: String? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.cause = cause
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.status == rhs.status
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
        hasher.combine(self.message)
        hasher.combine(self.status)
    }

    /// `Sender` for 4xx, `Receiver` for 5xx, as the Query protocol's `<Type>` element says.
    public var faultType: String { self.status.code >= 500 ? "Receiver" : "Sender" }

    public var description: String { "\(self.code) (\(self.status.code)): \(self.message)" }

    /// The request body is not valid `application/x-www-form-urlencoded` UTF-8 text.
    public static func malformedQueryString(_ message: String) -> AWSError {
        AWSError(code: "MalformedQueryString", message: message)
    }

    /// A required parameter is absent.
    public static func missingParameter(_ name: String) -> AWSError {
        AWSError(code: "MissingParameter", message: "The request must contain the parameter \(name)")
    }

    /// The `Action` is not one this service knows.
    public static func invalidAction(_ action: String) -> AWSError {
        AWSError(
            code: "InvalidAction",
            message: "The action \(action.quotedInMessage) is not valid for this web service."
        )
    }

    /// A server fault that the client did not cause (EC2's `InternalError`, 500); `cause` goes to the log, not to
    /// the client.
    public static func internalError(cause: String) -> AWSError {
        AWSError(
            code: "InternalError",
            message: "An internal error has occurred.",
            status: .internalServerError,
            cause: cause
        )
    }

    /// IAM's and STS's answer to a server fault (`ServiceFailure`, 500); `cause` goes to the log, not to the client.
    public static func serviceFailure(cause: String) -> AWSError {
        AWSError(
            code: "ServiceFailure",
            message: "The request processing has failed because of an unknown error.",
            status: .internalServerError,
            cause: cause
        )
    }
}

extension StringProtocol {
    /// Request text as an error message may quote it: at most 100 characters, control characters as `?`, and
    /// anything that looks like key material (a PEM armour line, `PRIVATE KEY`) not at all. Messages are sent to the
    /// client and logged, and a client that pasted a private key into the wrong parameter must not see it echoed.
    public var quotedInMessage: String {
        if self.contains("PRIVATE KEY") || self.contains("-----") { return "(key material, not shown)" }
        var out = ""
        for character in self.prefix(100) {
            out.append(character.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F } ? character : "?")
        }
        return out
    }
}
