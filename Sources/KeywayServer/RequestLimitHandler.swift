import AWSProtocol
import EC2API
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
///   connections that never send a complete head are closed by Hummingbird's idle timeout;
/// - a `CONNECT` is refused (`405`) and the connection closed at once.
///
/// The deadline check is one timer a connection, armed when a request starts and none is armed, and re-armed only
/// while a request is still arriving: a keep-alive connection does not schedule and cancel a timer per request.
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
    /// When the request being read started; nil between requests.
    private var requestStarted: NIODeadline?
    private var timer: Scheduled<Void>?
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
            let now = context.eventLoop.now
            self.requestStarted = now
            if self.timer == nil { self.armTimer(context: context, at: now + self.requestTimeout) }
        case .body(let buffer):
            self.bodyBytes += buffer.readableBytes
            if self.bodyBytes > self.maximumBodySize {
                self.refuseTooLarge(context: context)
                return
            }
        case .end:
            self.requestStarted = nil
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
        self.timer?.cancel()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.timer?.cancel()
        context.fireChannelInactive()
    }

    /// Closes the connection when the request being read is older than ``requestTimeout``; otherwise re-arms for
    /// that request's deadline, or stays disarmed between requests.
    private func armTimer(context: ChannelHandlerContext, at deadline: NIODeadline) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        self.timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = loopBound.value
            handler.timer = nil
            guard let started = handler.requestStarted else { return }
            let due = started + handler.requestTimeout
            if due <= context.eventLoop.now {
                context.close(promise: nil)
            } else {
                handler.armTimer(context: context, at: due)
            }
        }
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
        self.timer?.cancel()
        let requestID = self.newRequestID()
        let body: String
        var fields = HTTPFields()
        if self.json {
            body = InstanceConnectService.error(code, message, Int(status.code)).body
            fields[.contentType] = "application/x-amz-json-1.1"
        } else {
            let response = XMLResponse.ec2Error(
                AWSError(code: code, message: message, status: status),
                requestID: requestID
            )
            body = response.body
            fields[.contentType] = response.contentType
        }
        fields[HTTPField.Name("x-amzn-RequestId")!] = requestID
        fields[.contentLength] = String(body.utf8.count)
        fields[.connection] = "close"
        context.write(self.wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        context.write(self.wrapOutboundOut(.body(context.channel.allocator.buffer(string: body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
