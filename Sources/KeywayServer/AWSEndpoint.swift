import AWSProtocol
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The AWS endpoint: reads a Query or JSON request, hands it to the ``AWSDispatcher``, writes the answer, and logs
/// one line per request (and, for a server fault, one error line with its cause).
struct AWSEndpoint: HTTPResponder {
    typealias Context = BasicRequestContext

    let dispatcher: AWSDispatcher
    let maximumBodySize: Int
    let newRequestID: @Sendable () -> String

    private static let requestIDHeader = HTTPField.Name("x-amzn-RequestId")!

    func respond(to request: Request, context: Context) async throws -> Response {
        let start = ContinuousClock.now
        let requestID = self.newRequestID()
        var request = request
        let outcome: AWSDispatcher.Outcome
        if request.method != .get && request.method != .post {
            // AWS's Query endpoints take GET and POST only; nothing else runs an action, and the body is not read.
            outcome = self.dispatcher.refuseMethod(Self.awsRequest(request, body: []), requestID: requestID)
        } else {
            do {
                let body = try await request.collectBody(upTo: self.maximumBodySize)
                outcome = await self.dispatcher.dispatch(
                    Self.awsRequest(request, body: Array(buffer: body)),
                    requestID: requestID
                )
            } catch is NIOTooManyBytesError {
                // `RequestLimitHandler` refuses most oversized bodies before they are read; this is the backstop.
                let tooLarge = AWSError(
                    code: "RequestEntityTooLarge",
                    message: "The request body is larger than the limit of \(self.maximumBodySize) bytes.",
                    status: .contentTooLarge
                )
                outcome = self.dispatcher.refusal(tooLarge, Self.awsRequest(request, body: []), requestID: requestID)
            } catch {
                // The body ended before its declared length, or the connection failed while it was read.
                let incomplete = AWSError(
                    code: "InvalidRequest",
                    message: "The request body ended before it was complete."
                )
                outcome = self.dispatcher.refusal(incomplete, Self.awsRequest(request, body: []), requestID: requestID)
            }
        }
        let elapsed = start.duration(to: .now)
        if let cause = outcome.cause {
            // A server fault: once, with the request ID, so the client's RequestId finds it.
            context.logger.error(
                "internal error",
                metadata: [
                    "request_id": .string(requestID), "service": .string(outcome.service),
                    "action": .string(outcome.action.map { String($0.prefix(64)) } ?? "-"), "cause": .string(cause),
                ]
            )
        }
        var metadata: Logger.Metadata = [
            "request_id": .string(requestID), "service": .string(outcome.service),
            "action": .string(outcome.action.map { String($0.prefix(64)) } ?? "-"),
            "status": .stringConvertible(outcome.response.status.code),
            "error": .string(outcome.errorCode ?? "-"), "caller": .string(outcome.caller ?? "-"),
            "ms": .string(
                String(
                    format: "%.2f",
                    Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
                )
            ),
        ]
        if let reason = outcome.reason { metadata["reason"] = .string(String(reason.prefix(200))) }
        context.logger.info("request", metadata: metadata)
        var headers = HTTPFields()
        headers[.contentType] = outcome.response.contentType
        headers[Self.requestIDHeader] = requestID
        return Response(
            status: outcome.response.status,
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: outcome.response.body))
        )
    }

    private static func awsRequest(_ request: Request, body: [UInt8]) -> AWSRequest {
        AWSRequest(
            method: request.method.rawValue,
            path: request.uri.path,
            query: request.uri.query ?? "",
            // HTTP/1's Host header arrives as the authority; SigV4 signs it as `host`.
            headers: [(name: "host", value: request.head.authority ?? "")]
                + request.headers.map { (name: $0.name.rawName, value: $0.value) },
            body: body
        )
    }
}
