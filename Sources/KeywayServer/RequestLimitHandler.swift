import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Bounds what one connection may make the server read, before any of it reaches a responder (issue 13):
///
/// - a body larger than the limit is refused by its `Content-Length` before a byte of it is read, and a body sent
///   without one (chunked) is refused as soon as it passes the limit: `413` with an AWS error document, then the
///   connection is closed, so nothing more of it is read or drained;
/// - a request must arrive whole within ``requestTimeout`` of its head (slow bodies, clients that stop sending);
///   connections that never send a complete head are closed by Hummingbird's idle timeout.
///
/// - a `CONNECT` is refused (`405`) and the connection closed at once.
///
/// One handler a connection; it runs on the connection's event loop only.
final class RequestLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private let maximumBodySize: Int
    private let requestTimeout: TimeAmount
    private let newRequestID: @Sendable () -> String
    private var bodyBytes = 0
    private var deadline: Scheduled<Void>?
    /// Set once the connection is being refused: everything read after that is dropped.
    private var refused = false
    /// Whether the request in progress is Instance Connect's (JSON 1.1), whose errors are JSON.
    private var json = false
    private static let targetHeader = HTTPField.Name("X-Amz-Target")!

    init(maximumBodySize: Int, requestTimeout: TimeAmount, newRequestID: @escaping @Sendable () -> String) {
        self.maximumBodySize = maximumBodySize
        self.requestTimeout = requestTimeout
        self.newRequestID = newRequestID
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.refused else { return }
        let part = self.unwrapInboundIn(data)
        switch part {
        case .head(let head):
            self.bodyBytes = 0
            self.json = head.headerFields[Self.targetHeader] != nil
            if let length = head.headerFields[.contentLength], let declared = Int(length),
                declared > self.maximumBodySize
            {
                self.refuseTooLarge(context: context)
                return
            }
            if head.method == .connect {
                // No tunnels: after a CONNECT the connection could carry nothing else, so it is answered and closed
                // at once rather than parked until a timeout.
                self.refuse(
                    context: context,
                    status: .methodNotAllowed,
                    code: "UnsupportedHTTPVerb",
                    message: "The HTTP method CONNECT is not supported; use GET or POST."
                )
                return
            }
            self.deadline?.cancel()
            let channel = context.channel
            self.deadline = context.eventLoop.scheduleTask(in: self.requestTimeout) { channel.close(promise: nil) }
        case .body(let buffer):
            self.bodyBytes += buffer.readableBytes
            if self.bodyBytes > self.maximumBodySize {
                self.refuseTooLarge(context: context)
                return
            }
        case .end:
            self.deadline?.cancel()
            self.deadline = nil
            self.json = false
        }
        context.fireChannelRead(data)
    }

    /// A request HTTP/1.1's parser refuses (an unknown method, a head over the size limit, bad framing) gets AWS's
    /// envelope and a closed connection, not a bare `400` on a connection left open until the idle timeout.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError, !self.refused else {
            context.fireErrorCaught(error)
            return
        }
        // The request's headers are not known, so neither is its service: EC2's envelope, as for any other.
        self.json = false
        self.refuse(
            context: context,
            status: .badRequest,
            code: "InvalidRequest",
            message: "The request is not valid HTTP/1.1."
        )
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.deadline?.cancel()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.deadline?.cancel()
        context.fireChannelInactive()
    }

    private func refuseTooLarge(context: ChannelHandlerContext) {
        self.refuse(
            context: context,
            status: .contentTooLarge,
            code: "RequestEntityTooLarge",
            message: "The request body is larger than the limit of \(self.maximumBodySize) bytes."
        )
    }

    /// Answers in EC2's error envelope (the service is not known before the body is read) and closes.
    private func refuse(context: ChannelHandlerContext, status: HTTPResponse.Status, code: String, message: String) {
        self.refused = true
        self.deadline?.cancel()
        let requestID = self.newRequestID()
        let body =
            self.json
            ? #"{"Message":"\#(message)","__type":"\#(code)"}"#
            : Self.errorDocument(code: code, message: message, requestID: requestID)
        var fields = HTTPFields()
        fields[.contentType] = self.json ? "application/x-amz-json-1.1" : "text/xml;charset=UTF-8"
        fields[HTTPField.Name("x-amzn-RequestId")!] = requestID
        fields[.contentLength] = String(body.utf8.count)
        fields[.connection] = "close"
        context.write(self.wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        context.write(self.wrapOutboundOut(.body(context.channel.allocator.buffer(string: body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    /// The document; `code` and `message` are fixed texts of this type, never request data.
    static func errorDocument(code: String, message: String, requestID: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <Response><Errors><Error><Code>\(code)</Code><Message>\(message)</Message></Error></Errors><RequestID>\(requestID)</RequestID></Response>
        """
    }
}
