import AWSProtocol
import Foundation
import KeywayCore

/// AWS IAM's Query API (version 2010-05-08) for users, their tags, access keys, server certificates and SSH public keys.
///
/// One file per group of actions; each checks its parameters against the model (`IAMValidation`), calls the domain, and
/// writes the XML. Domain errors become IAM codes in `AWSError+IAM.swift` and nowhere else.
public struct IAMService: Sendable {
    public static let version = "2010-05-08"
    public static let namespace = "https://iam.amazonaws.com/doc/2010-05-08/"
    public static let signingName = "iam"

    public let identity: IdentityService
    public let certificates: ServerCertificateService

    public init(identity: IdentityService, certificates: ServerCertificateService) {
        self.identity = identity
        self.certificates = certificates
    }

    /// What a request runs as.
    public struct Context: Sendable {
        public var principal: Principal
        public var requestID: String

        public init(principal: Principal, requestID: String) {
            self.principal = principal
            self.requestID = requestID
        }
    }

    /// Runs one action and returns the response body; failures are thrown as IAM errors.
    public func handle(_ parameters: QueryParameters, context: Context) async throws(AWSError) -> String {
        let action = try parameters.required("Action")
        guard parameters["Version"] == Self.version else {
            throw AWSError(
                code: "NoSuchVersion",
                message:
                    "The requested version (\((parameters["Version"] ?? "").quotedInMessage)) of service AWSIdentityManagementV20100508 does not exist"
            )
        }
        do {
            switch action {
            case "CreateUser": return try await self.createUser(parameters, context: context)
            case "GetUser": return try await self.getUser(parameters, context: context)
            case "ListUsers": return try await self.listUsers(parameters, context: context)
            case "DeleteUser": return try await self.deleteUser(parameters, context: context)
            case "TagUser": return try await self.tagUser(parameters, context: context)
            case "UntagUser": return try await self.untagUser(parameters, context: context)
            case "ListUserTags": return try await self.listUserTags(parameters, context: context)
            case "CreateAccessKey": return try await self.createAccessKey(parameters, context: context)
            case "ListAccessKeys": return try await self.listAccessKeys(parameters, context: context)
            case "UpdateAccessKey": return try await self.updateAccessKey(parameters, context: context)
            case "DeleteAccessKey": return try await self.deleteAccessKey(parameters, context: context)
            case "GetAccessKeyLastUsed": return try await self.getAccessKeyLastUsed(parameters, context: context)
            case "UploadServerCertificate": return try await self.uploadServerCertificate(parameters, context: context)
            case "GetServerCertificate": return try await self.getServerCertificate(parameters, context: context)
            case "ListServerCertificates": return try await self.listServerCertificates(parameters, context: context)
            case "UpdateServerCertificate": return try await self.updateServerCertificate(parameters, context: context)
            case "DeleteServerCertificate": return try await self.deleteServerCertificate(parameters, context: context)
            case "UploadSSHPublicKey": return try await self.uploadSSHPublicKey(parameters, context: context)
            case "GetSSHPublicKey": return try await self.getSSHPublicKey(parameters, context: context)
            case "ListSSHPublicKeys": return try await self.listSSHPublicKeys(parameters, context: context)
            case "UpdateSSHPublicKey": return try await self.updateSSHPublicKey(parameters, context: context)
            case "DeleteSSHPublicKey": return try await self.deleteSSHPublicKey(parameters, context: context)
            default: throw AWSError.invalidAction(action)
            }
        } catch let error as AWSError {
            throw error
        } catch let error as KeywayError {
            throw AWSError(iam: error, caller: context.principal)
        } catch {
            throw AWSError.serviceFailure(cause: "\(error)")
        }
    }

    /// An `<ActionResponse>` with `<ActionResult>` (omitted for actions without output) and `ResponseMetadata`.
    static func response(
        _ action: String,
        namespace: String = Self.namespace,
        requestID: String,
        result: ((inout XMLWriter) -> Void)? = nil
    ) -> String {
        var writer = XMLWriter()
        writer.element("\(action)Response", namespace: namespace) { writer in
            if let result {
                writer.element("\(action)Result", result)
            }
            writer.element("ResponseMetadata") { writer in writer.element("RequestId", requestID) }
        }
        return writer.text
    }

    /// IAM's timestamps: ISO 8601 in UTC, whole seconds, `2026-02-19T18:34:51Z`.
    static func timestamp(_ date: Date) -> String { AWSTimestamp.iso8601Seconds(date) }
}

extension XMLWriter {
    /// `<IsTruncated>` and, when truncated, `<Marker>`.
    mutating func pagination(marker: String?) {
        self.element("IsTruncated", marker != nil)
        self.element("Marker", ifPresent: marker)
    }
}
