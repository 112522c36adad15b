import AWSProtocol
import EC2API
import KeywayCore
import Logging

/// Routes a request to its AWS service, by the SigV4 signing name and then by `Version`, and renders the answer
/// in that service's envelope. Free of HTTP framework types so it can be tested alone.
struct AWSDispatcher: Sendable {
    let ec2: EC2Service
    let defaultAccount: AccountID
    let regions: Set<Region>

    /// The outcome of one request, with what the request log line reports.
    struct Outcome: Sendable {
        var response: XMLResponse
        var service: String
        var action: String?
        var errorCode: String?
    }

    func dispatch(_ request: AWSRequest, requestID: String) async -> Outcome {
        if request.header("X-Amz-Target") != nil {
            // JSON 1.1 services (EC2 Instance Connect) are not served yet.
            let error = AWSError(code: "UnknownOperationException", message: "The operation is not supported by this endpoint.")
            let body = #"{"__type":"UnknownOperationException","message":"The operation is not supported by this endpoint."}"#
            return Outcome(
                response: XMLResponse(status: error.status, body: body, contentType: "application/x-amz-json-1.1"),
                service: "json", action: request.header("X-Amz-Target"), errorCode: error.code
            )
        }
        let parameters: QueryParameters
        do {
            parameters = try QueryParameters(request: request)
        } catch {
            return self.failure(error, service: CredentialScope(request: request, parameters: QueryParameters([:]))?.service ?? "ec2", action: nil, requestID: requestID)
        }
        let scope = CredentialScope(request: request, parameters: parameters)
        let service = scope?.service ?? Self.service(forVersion: parameters["Version"])
        let action = parameters["Action"]
        switch service {
        case EC2Service.signingName:
            do {
                let region = try self.region(scope)
                let context = EC2Service.Context(scope: Scope(account: self.defaultAccount, region: region), requestID: requestID)
                let body = try await self.ec2.handle(parameters, context: context)
                return Outcome(response: XMLResponse(body: body), service: service, action: action, errorCode: nil)
            } catch {
                return self.failure(error, service: service, action: action, requestID: requestID)
            }
        default:
            return self.failure(AWSError.invalidAction(action ?? ""), service: service, action: action, requestID: requestID)
        }
    }

    /// The service a request without a SigV4 scope is for, by its `Version`.
    private static func service(forVersion version: String?) -> String {
        switch version {
        case "2010-05-08": "iam"
        case "2011-06-15": "sts"
        default: EC2Service.signingName
        }
    }

    /// The region of the credential scope, which must be one this Keyway serves; unsigned requests get us-east-1.
    private func region(_ scope: CredentialScope?) throws(AWSError) -> Region {
        guard let scope else { return .usEast1 }
        guard let region = Region(rawValue: scope.region), self.regions.contains(region) else {
            throw AWSError(
                code: "AuthFailure",
                message: "Credential should be scoped to a valid region, not '\(scope.region.prefix(40))'. ",
                status: .unauthorized
            )
        }
        return region
    }

    private func failure(_ error: AWSError, service: String, action: String?, requestID: String) -> Outcome {
        let response: XMLResponse
        switch service {
        case "iam":
            response = .queryError(error, requestID: requestID, namespace: "https://iam.amazonaws.com/doc/2010-05-08/")
        case "sts":
            response = .queryError(error, requestID: requestID, namespace: "https://sts.amazonaws.com/doc/2011-06-15/")
        default:
            response = .ec2Error(error, requestID: requestID)
        }
        return Outcome(response: response, service: service, action: action, errorCode: error.code)
    }
}
