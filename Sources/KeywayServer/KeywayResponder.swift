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

    private static let requestIDHeader = HTTPField.Name("x-amzn-RequestId")!

    func respond(to request: Request, context: Context) async throws -> Response {
        let start = ContinuousClock.now
        let requestID = self.newRequestID()
        var request = request
        let outcome: AWSDispatcher.Outcome
        do {
            let body = try await request.collectBody(upTo: self.maximumBodySize)
            let awsRequest = AWSRequest(
                method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "",
                headers: request.headers.map { (name: $0.name.rawName, value: $0.value) },
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
                "error": .string(outcome.errorCode ?? "-"),
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
