import AWSProtocol
import KeywayCore

/// AWS STS's Query API (version 2011-06-15): GetCallerIdentity. It shares IAM's error conventions, so it lives
/// beside IAM.
public struct STSService: Sendable {
    public static let version = "2011-06-15"
    public static let namespace = "https://sts.amazonaws.com/doc/2011-06-15/"
    public static let signingName = "sts"

    public init() {}

    public func handle(_ parameters: QueryParameters, context: IAMService.Context) throws(AWSError) -> String {
        let action = try parameters.required("Action")
        guard parameters["Version"] == Self.version else {
            throw AWSError(
                code: "InvalidAction",
                message:
                    "Could not find operation \(action.quotedInMessage) for version \((parameters["Version"] ?? "NO_VERSION_SPECIFIED").quotedInMessage)"
            )
        }
        guard action == "GetCallerIdentity" else { throw AWSError.invalidAction(action) }
        return IAMService.response("GetCallerIdentity", namespace: Self.namespace, requestID: context.requestID) {
            writer in
            writer.element("Arn", context.principal.arn)
            writer.element("UserId", context.principal.userID)
            writer.element("Account", context.principal.account.rawValue)
        }
    }
}
