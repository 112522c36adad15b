import AWSProtocol
import KeywayCore

/// Amazon EC2's Query API (version 2016-11-15) for key pairs, their tags, and regions.
///
/// One file per action; each parses its parameters, calls the domain, and writes the XML. Domain errors become EC2
/// codes in `AWSError+KeywayError.swift` and nowhere else.
public struct EC2Service: Sendable {
    /// The API version this service speaks.
    public static let version = "2016-11-15"
    /// The XML namespace of EC2 responses.
    public static let namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"
    /// The SigV4 signing name.
    public static let signingName = "ec2"

    public let keyPairs: KeyPairService
    public let instances: InstanceService
    /// The regions served, in DescribeRegions order.
    public let regions: [Region]

    public init(keyPairs: KeyPairService, instances: InstanceService, regions: [Region]) {
        self.keyPairs = keyPairs
        self.instances = instances
        self.regions = regions
    }

    /// What a request runs as: its scope (account and region) and its request ID.
    public struct Context: Sendable {
        public var scope: Scope
        public var requestID: String

        public init(scope: Scope, requestID: String) {
            self.scope = scope
            self.requestID = requestID
        }
    }

    /// The actions this service answers.
    public static let actions: Set<String> = [
        "CreateKeyPair", "ImportKeyPair", "DescribeKeyPairs", "DeleteKeyPair", "CreateTags", "DeleteTags",
        "DescribeTags", "DescribeRegions", "RunInstances", "DescribeInstances", "StartInstances", "StopInstances",
        "TerminateInstances", "GetPasswordData", "DescribeImages",
    ]

    /// Runs one action and returns the response body; failures are thrown as EC2 errors.
    public func handle(_ parameters: QueryParameters, context: Context) async throws(AWSError) -> String {
        let action = try parameters.required("Action")
        guard let version = parameters["Version"] else { throw .missingParameter("Version") }
        guard version == Self.version else {
            throw AWSError(
                code: "NoSuchVersion",
                message: "The requested version (\(version.quotedInMessage)) of service AmazonEC2 does not exist"
            )
        }
        do {
            switch action {
            case "CreateKeyPair": return try await self.createKeyPair(parameters, context: context)
            case "ImportKeyPair": return try await self.importKeyPair(parameters, context: context)
            case "DescribeKeyPairs": return try await self.describeKeyPairs(parameters, context: context)
            case "DeleteKeyPair": return try await self.deleteKeyPair(parameters, context: context)
            case "CreateTags": return try await self.createTags(parameters, context: context)
            case "DeleteTags": return try await self.deleteTags(parameters, context: context)
            case "DescribeTags": return try await self.describeTags(parameters, context: context)
            case "DescribeRegions": return try self.describeRegions(parameters, context: context)
            case "RunInstances": return try await self.runInstances(parameters, context: context)
            case "DescribeInstances": return try await self.describeInstances(parameters, context: context)
            case "StartInstances":
                return try await self.changeInstances(parameters, context: context, action: "StartInstances")
            case "StopInstances":
                return try await self.changeInstances(parameters, context: context, action: "StopInstances")
            case "TerminateInstances":
                return try await self.changeInstances(parameters, context: context, action: "TerminateInstances")
            case "GetPasswordData": return try await self.getPasswordData(parameters, context: context)
            case "DescribeImages": return try self.describeImages(parameters, context: context)
            default: throw AWSError.invalidAction(action)
            }
        } catch let error as AWSError {
            throw error
        } catch let error as KeywayError {
            throw AWSError(ec2: error)
        } catch {
            throw AWSError.internalError(cause: "\(error)")
        }
    }

    /// Throws EC2's `DryRunOperation` when the request asked for a dry run; call after validating parameters.
    static func checkDryRun(_ parameters: QueryParameters) throws(AWSError) {
        if try parameters.bool("DryRun") {
            throw AWSError(
                code: "DryRunOperation",
                message: "Request would have succeeded, but DryRun flag is set.",
                status: .preconditionFailed
            )
        }
    }

    /// Starts an `<ActionResponse>` document with its `requestId`.
    static func response(_ action: String, context: Context, _ content: (inout XMLWriter) -> Void) -> String {
        var writer = XMLWriter()
        writer.element("\(action)Response", namespace: Self.namespace) { writer in
            writer.element("requestId", context.requestID)
            content(&writer)
        }
        return writer.text
    }
}
