import AWSProtocol
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The HTTP face of Keyway: reads a request, hands it to the ``AWSDispatcher``, writes the answer, logs one line.
struct KeywayResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let dispatcher: AWSDispatcher
    let maximumBodySize: Int
    let newRequestID: @Sendable () -> String
    /// Wipes all state; set only in `--dev` mode, where `POST /_keyway/reset` calls it.
    let reset: (@Sendable () async throws -> Void)?

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
