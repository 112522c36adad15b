import AWSProtocol
import EC2API
import IAMAPI
import KeywayCore
import Logging

/// Routes a request to its AWS service, by the SigV4 signing name and then by `Version`, authenticates it, and
/// renders the answer in that service's envelope. Free of HTTP framework types so it can be tested alone.
struct AWSDispatcher: Sendable {
    let ec2: EC2Service
    let instanceConnect: InstanceConnectService
    let iam: IAMService
    let sts: STSService
    let authenticator: Authenticator
    let usage: UsageRecorder
    let regions: Set<Region>
    /// Requests being worked on at once, past which new ones are refused with AWS's throttling answer rather than
    /// queued without bound.
    let inFlight: InFlightLimit

    /// The most parameters a Query request may carry, counted before the form is parsed. The largest real requests
    /// (5,000 key names, 1,000 tags) stay well below it.
    static let maximumParameterCount = 10_000

    /// The outcome of one request, with what the request log line reports.
    struct Outcome: Sendable {
        var response: XMLResponse
        var service: String
        var action: String?
        var errorCode: String?
        var caller: String?
        /// A server fault's cause, for the error log line; never sent to the client.
        var cause: String? = nil
        /// Why a client error happened, where the code alone does not say, for the request log line.
        var reason: String? = nil
    }

    func dispatch(_ request: AWSRequest, requestID: String) async -> Outcome {
        guard self.inFlight.enter() else {
            return self.refusal(Self.throttled(Self.refusalService(request)), request, requestID: requestID)
        }
        defer { self.inFlight.leave() }
        if let target = request.header("X-Amz-Target") {
            return await self.dispatchJSON(request, target: target, requestID: requestID)
        }
        // Bounded before parsing: every parameter is one `&`-separated field of the query or the body.
        let fields =
            request.query.utf8.count { $0 == UInt8(ascii: "&") } + request.body.count { $0 == UInt8(ascii: "&") } + 2
        guard fields <= Self.maximumParameterCount else {
            let error = AWSError.malformedQueryString(
                "The request has more than \(Self.maximumParameterCount) parameters."
            )
            return self.refusal(error, request, requestID: requestID)
        }
        let parameters: QueryParameters
        do {
            parameters = try QueryParameters(request: request)
        } catch {
            let service =
                CredentialScope(request: request, parameters: QueryParameters([:]))?.service ?? EC2Service.signingName
            return self.failure(error, service: service, action: nil, requestID: requestID)
        }
        // The signature is read once: its scope picks the service, and the authenticator verifies it.
        let signature = Result { () throws(SignatureV4Failure) in
            try SignedRequest(request: request, parameters: parameters)
        }
        let scope: CredentialScope?
        if case .success(let signed?) = signature {
            scope = signed.scope
        } else {
            // Unsigned or malformed: the scope, if it can be read at all, still picks the error envelope.
            scope = CredentialScope(request: request, parameters: parameters)
        }
        let action = parameters["Action"]
        let service: String
        if let signedFor = scope?.service, Self.services.contains(signedFor) {
            service = signedFor
        } else {
            service = Self.service(forVersion: parameters["Version"])
            if let signedFor = scope?.service {
                // Signed for a service Keyway does not speak: refused as AWS refuses a scope for the wrong service.
                let error =
                    service == EC2Service.signingName
                    ? AWSError.ec2Authentication(.signatureMismatch)
                    : AWSError(
                        code: "SignatureDoesNotMatch",
                        message:
                            "Credential should be scoped to correct service: '\(service)'. (not '\(signedFor.quotedInMessage)')",
                        status: .forbidden
                    )
                return self.failure(error, service: service, action: action, requestID: requestID)
            }
        }

        let principal: Principal
        do {
            principal = try await self.authenticator.authenticate(request, signature: signature)
        } catch {
            let mapped =
                service == EC2Service.signingName
                ? AWSError.ec2Authentication(error) : AWSError.queryAuthentication(error)
            return self.failure(mapped, service: service, action: action, requestID: requestID)
        }

        do throws(AWSError) {
            let body: String
            switch service {
            case EC2Service.signingName:
                let region = try self.region(scope)
                do throws(KeywayError) {
                    try IdentityService.authorize(principal, action: "ec2:\(action ?? "")", resource: "*")
                } catch {
                    throw AWSError(
                        code: "UnauthorizedOperation",
                        message: "You are not authorized to perform this operation.",
                        status: .forbidden
                    )
                }
                let context = EC2Service.Context(
                    scope: Scope(account: principal.account, region: region),
                    requestID: requestID
                )
                body = try await self.ec2.handle(parameters, context: context)
            case IAMService.signingName:
                if action == "GetAccessKeyLastUsed" { await self.usage.flush() }
                body = try await self.iam.handle(
                    parameters,
                    context: IAMService.Context(principal: principal, requestID: requestID)
                )
            case STSService.signingName:
                body = try self.sts.handle(
                    parameters,
                    context: IAMService.Context(principal: principal, requestID: requestID)
                )
            default:
                throw AWSError.invalidAction(action ?? "")
            }
            return Outcome(
                response: XMLResponse(body: body),
                service: service,
                action: action,
                errorCode: nil,
                caller: principal.arn
            )
        } catch {
            var outcome = self.failure(error, service: service, action: action, requestID: requestID)
            outcome.caller = principal.arn
            return outcome
        }
    }

    /// EC2 Instance Connect, the one JSON 1.1 service: authenticated like the others, answered in JSON.
    private func dispatchJSON(_ request: AWSRequest, target: String, requestID: String) async -> Outcome {
        func outcome(_ answer: InstanceConnectService.Answer, caller: String? = nil) -> Outcome {
            Outcome(
                response: XMLResponse(
                    status: .init(code: answer.status),
                    body: answer.body,
                    contentType: "application/x-amz-json-1.1"
                ),
                service: InstanceConnectService.signingName,
                action: target,
                errorCode: answer.errorCode,
                caller: caller,
                cause: answer.cause
            )
        }
        let principal: Principal
        let region: Region
        do {
            principal = try await self.authenticator.authenticate(request, parameters: QueryParameters([:]))
            guard
                let scopeRegion = CredentialScope(request: request, parameters: QueryParameters([:])).flatMap({
                    Region(rawValue: $0.region)
                }),
                self.regions.contains(scopeRegion)
            else { throw SignatureV4Failure.signatureMismatch }
            region = scopeRegion
        } catch {
            return outcome(
                InstanceConnectService.error(
                    "AuthException",
                    "Authentication failed: the request signature or credentials are not valid.",
                    403
                )
            )
        }
        do {
            try IdentityService.authorize(principal, action: "ec2-instance-connect:SendSSHPublicKey", resource: "*")
        } catch {
            return outcome(
                InstanceConnectService.error("AuthException", "You are not authorized to perform this operation.", 403),
                caller: principal.arn
            )
        }
        let answer = await self.instanceConnect.handle(
            target: target,
            body: request.body,
            scope: Scope(account: principal.account, region: region),
            requestID: requestID
        )
        return outcome(answer, caller: principal.arn)
    }

    /// The SigV4 signing names of the services Keyway speaks.
    private static let services: Set<String> = [EC2Service.signingName, IAMService.signingName, STSService.signingName]

    /// The service a request without a SigV4 scope is for, by its `Version`.
    private static func service(forVersion version: String?) -> String {
        switch version {
        case IAMService.version: IAMService.signingName
        case STSService.version: STSService.signingName
        default: EC2Service.signingName
        }
    }

    /// The region of the credential scope, which must be one this Keyway serves. Every authenticated request has
    /// a scope; without one there is no region to act in.
    private func region(_ scope: CredentialScope?) throws(AWSError) -> Region {
        guard let scope else { throw AWSError.ec2Authentication(.missingAuthentication) }
        guard let region = Region(rawValue: scope.region), self.regions.contains(region) else {
            throw AWSError(
                code: "AuthFailure",
                message: "Credential should be scoped to a valid region, not '\(scope.region.quotedInMessage)'. ",
                status: .unauthorized
            )
        }
        return region
    }

    /// AWS's throttling answer per service: EC2's `RequestLimitExceeded` (503), IAM's and STS's `Throttling` (400);
    /// the SDKs retry both with back-off.
    static func throttled(_ service: String) -> AWSError {
        switch service {
        case InstanceConnectService.signingName:
            AWSError(code: "ThrottlingException", message: "Rate exceeded")
        case IAMService.signingName, STSService.signingName:
            AWSError(code: "Throttling", message: "Rate exceeded")
        default:
            AWSError(code: "RequestLimitExceeded", message: "Request limit exceeded.", status: .serviceUnavailable)
        }
    }

    /// The answer to an HTTP method other than GET and POST, which AWS's Query endpoints do not take
    /// (docs/aws-behaviour.md), in the envelope of the service the request is signed for. Nothing runs.
    func refuseMethod(_ request: AWSRequest, requestID: String) -> Outcome {
        let error = AWSError(
            code: "UnsupportedHTTPVerb",
            message: "The HTTP method \(request.method.prefix(20)) is not supported; use GET or POST.",
            status: .methodNotAllowed
        )
        return self.refusal(error, request, requestID: requestID)
    }

    /// A refusal decided before the request is parsed, in the envelope of the service its headers name: JSON for
    /// Instance Connect (`X-Amz-Target`), else the Query envelope of the service the request is signed for.
    func refusal(_ error: AWSError, _ request: AWSRequest, requestID: String) -> Outcome {
        let service = Self.refusalService(request)
        if service == InstanceConnectService.signingName {
            return Outcome(
                response: XMLResponse(
                    status: error.status,
                    body: InstanceConnectService.error(error.code, error.message, Int(error.status.code)).body,
                    contentType: "application/x-amz-json-1.1"
                ),
                service: InstanceConnectService.signingName,
                action: nil,
                errorCode: error.code
            )
        }
        return self.failure(error, service: service, action: nil, requestID: requestID)
    }

    /// The service whose envelope a refusal before parsing uses: Instance Connect for a JSON request, else the
    /// service the request is signed for, else EC2.
    private static func refusalService(_ request: AWSRequest) -> String {
        if request.header("X-Amz-Target") != nil { return InstanceConnectService.signingName }
        let signedFor = CredentialScope(request: request, parameters: QueryParameters([:]))?.service
        return signedFor.flatMap { Self.services.contains($0) ? $0 : nil } ?? EC2Service.signingName
    }

    private func failure(_ error: AWSError, service: String, action: String?, requestID: String) -> Outcome {
        let response: XMLResponse
        switch service {
        case IAMService.signingName:
            response = .queryError(error, requestID: requestID, namespace: IAMService.namespace)
        case STSService.signingName:
            response = .queryError(error, requestID: requestID, namespace: STSService.namespace)
        default:
            response = .ec2Error(error, requestID: requestID)
        }
        let isFault = error.status.code >= 500
        return Outcome(
            response: response,
            service: service,
            action: action,
            errorCode: error.code,
            cause: isFault ? (error.cause ?? "no cause recorded") : nil,
            reason: isFault ? nil : error.cause
        )
    }
}
