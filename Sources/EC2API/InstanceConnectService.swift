import AWSProtocol
import Foundation
import KeywayCore

/// EC2 Instance Connect (JSON 1.1, `X-Amz-Target: AWSEC2InstanceConnectService.SendSSHPublicKey`): pushes a key that
/// lets one OS user in for 60 seconds.
public struct InstanceConnectService: Sendable {
    public static let signingName = "ec2-instance-connect"
    public static let target = "AWSEC2InstanceConnectService.SendSSHPublicKey"

    public let instances: InstanceService

    public init(instances: InstanceService) {
        self.instances = instances
    }

    /// A JSON answer: status and body.
    public struct Answer: Sendable, Error {
        public var status: Int
        public var body: String
        public var errorCode: String?
        /// For a server fault, its cause, for the log only.
        public var cause: String? = nil
    }

    /// Runs SendSSHPublicKey. Errors use the model's shape names as codes; AWS's HTTP statuses for them are
    /// unconfirmed, so client errors are 400 and an authorization failure 403.
    public func handle(target: String, body: [UInt8], scope: Scope, requestID: String) async -> Answer {
        guard target == Self.target else {
            return Self.error(
                "UnknownOperationException",
                "The operation \(target.quotedInMessage) is not supported.",
                400
            )
        }
        let instanceID: String
        let user: String
        let key: String
        switch Self.parseRequest(body) {
        case .success(let request): (instanceID, user, key) = (request.instanceID, request.user, request.publicKey)
        case .failure(let answer): return answer
        }
        do {
            try await self.instances.sendSSHPublicKey(in: scope, instanceID: instanceID, user: user, publicKey: key)
        } catch let error as KeywayError {
            switch error.code {
            case .instanceNotFound:
                return Self.error("EC2InstanceNotFoundException", "Instance not found: \(instanceID)", 400)
            case .incorrectInstanceState:
                return Self.error(
                    "EC2InstanceStateInvalidException",
                    "Instance \(instanceID) is not in a valid state.",
                    400
                )
            default:
                return Self.error(
                    "InvalidArgsException",
                    error.detail.isEmpty ? "Invalid arguments." : error.detail,
                    400
                )
            }
        } catch {
            var answer = Self.error("ServiceException", "The service failed to process the request.", 500)
            answer.cause = "\(error)"
            return answer
        }
        let answer = try! JSONSerialization.data(
            withJSONObject: ["RequestId": requestID, "Success": true],
            options: [.sortedKeys]
        )
        return Answer(status: 200, body: String(decoding: answer, as: UTF8.self), errorCode: nil)
    }

    /// The members of a SendSSHPublicKey request that Keyway reads.
    public struct Request: Sendable, Equatable {
        public var instanceID: String
        public var user: String
        public var publicKey: String
    }

    /// Reads a SendSSHPublicKey body: a JSON object whose members are checked against the model's constraints.
    /// Anything else is the `InvalidArgsException` answer to send; the body is never trusted further than that.
    public static func parseRequest(_ body: [UInt8]) -> Result<Request, Answer> {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            return .failure(Self.error("InvalidArgsException", "The request body is not a JSON object.", 400))
        }
        guard let instanceID = object["InstanceId"] as? String, (10...32).contains(instanceID.count) else {
            return .failure(
                Self.error(
                    "InvalidArgsException",
                    "InstanceId must be 10 to 32 characters of the form i-[a-f0-9]+.",
                    400
                )
            )
        }
        guard let user = object["InstanceOSUser"] as? String, (1...32).contains(user.count),
            user.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." || $0 == "$" })
        else {
            return .failure(
                Self.error(
                    "InvalidArgsException",
                    "InstanceOSUser must be 1 to 32 characters of a POSIX user name.",
                    400
                )
            )
        }
        guard let key = object["SSHPublicKey"] as? String, (80...4096).contains(key.count) else {
            return .failure(Self.error("InvalidArgsException", "SSHPublicKey must be 80 to 4096 characters.", 400))
        }
        return .success(Request(instanceID: instanceID, user: user, publicKey: key))
    }

    /// The JSON error body botocore reads: `__type` and `Message`.
    public static func error(_ code: String, _ message: String, _ status: Int) -> Answer {
        let body = try! JSONSerialization.data(
            withJSONObject: ["__type": code, "Message": message],
            options: [.sortedKeys]
        )
        return Answer(status: status, body: String(decoding: body, as: UTF8.self), errorCode: code)
    }
}
