import AWSProtocol
import Foundation
import HTTPTypes
import Hummingbird
import KeywayCore
import Logging

/// The HTTP face of Keyway: reads a request, hands it to the ``AWSDispatcher``, writes the answer, logs one line.
struct KeywayResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let dispatcher: AWSDispatcher
    let maximumBodySize: Int
    let newRequestID: @Sendable () -> String
    /// Wipes all state; set only in `--dev` mode, where `POST /_keyway/reset` calls it.
    let reset: (@Sendable () async throws -> Void)?
    /// Answers `GET /_keyway/instances/ID/authorized-keys?user=NAME` for `keyway authorized-keys`.
    let instances: InstanceService
    /// The clock `--dev` mode may move forward with `POST /_keyway/clock?advance=SECONDS`; nil outside dev mode.
    let clock: ClockOffset?

    private static let requestIDHeader = HTTPField.Name("x-amzn-RequestId")!

    func respond(to request: Request, context: Context) async throws -> Response {
        let start = ContinuousClock.now
        let requestID = self.newRequestID()
        var request = request
        if request.uri.path == "/_keyway/reset", request.method == .post, let reset = self.reset {
            try await reset()
            context.logger.warning("dev mode: all state was reset", metadata: ["request_id": .string(requestID)])
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"reset":true}"#)))
        }
        if request.uri.path.hasPrefix("/_keyway/instances/"), request.uri.path.hasSuffix("/authorized-keys"), request.method == .get {
            // Public keys only; what an SSH server's AuthorizedKeysCommand asks. One key a line.
            let id = request.uri.path.dropFirst("/_keyway/instances/".count).dropLast("/authorized-keys".count)
            let user = request.uri.queryParameters.get("user") ?? ""
            let keys = (try? await self.instances.authorizedKeys(instanceID: String(id), user: user)) ?? []
            context.logger.info("authorized-keys", metadata: ["instance": .string(String(id.prefix(32))), "user": .string(String(user.prefix(32))), "keys": .stringConvertible(keys.count)])
            var headers = HTTPFields()
            headers[.contentType] = "text/plain"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: keys.map { $0 + "\n" }.joined())))
        }
        if request.uri.path == "/_keyway/clock", request.method == .post, let clock = self.clock {
            // Only a finite number of seconds within ten years: NaN or infinity would poison every date after it.
            guard let seconds = request.uri.queryParameters.get("advance").flatMap(Double.init), clock.advance(by: seconds) else {
                return Response(
                    status: .badRequest, headers: [.contentType: "application/json"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"error":"advance must be a finite number of seconds, at most ten years"}"#))
                )
            }
            context.logger.warning("dev mode: clock advanced", metadata: ["seconds": .stringConvertible(seconds)])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"advanced":\#(seconds)}"#)))
        }
        let outcome: AWSDispatcher.Outcome
        do {
            let body = try await request.collectBody(upTo: self.maximumBodySize)
            let awsRequest = AWSRequest(
                method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "",
                // HTTP/1's Host header arrives as the authority; SigV4 signs it as `host`.
                headers: [(name: "host", value: request.head.authority ?? "")]
                    + request.headers.map { (name: $0.name.rawName, value: $0.value) },
                body: Array(buffer: body)
            )
            outcome = await self.dispatcher.dispatch(awsRequest, requestID: requestID)
        } catch {
            let tooLarge = AWSError(
                code: "RequestEntityTooLarge",
                message: "The request body is larger than the limit of \(self.maximumBodySize) bytes."
            )
            outcome = AWSDispatcher.Outcome(
                response: .ec2Error(tooLarge, requestID: requestID), service: "?", action: nil, errorCode: tooLarge.code
            )
        }
        let elapsed = start.duration(to: .now)
        context.logger.info(
            "request",
            metadata: [
                "request_id": .string(requestID), "service": .string(outcome.service),
                "action": .string(outcome.action.map { String($0.prefix(64)) } ?? "-"),
                "status": .stringConvertible(outcome.response.status.code),
                "error": .string(outcome.errorCode ?? "-"), "caller": .string(outcome.caller ?? "-"),
                "ms": .string(String(format: "%.2f", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)),
            ]
        )
        var headers = HTTPFields()
        headers[.contentType] = outcome.response.contentType
        headers[Self.requestIDHeader] = requestID
        return Response(
            status: outcome.response.status, headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: outcome.response.body))
        )
    }
}
