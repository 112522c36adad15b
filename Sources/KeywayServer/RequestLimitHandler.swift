import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Bounds what one connection may make the server read, before any of it reaches a responder (issue 13):
///
/// - a body larger than the limit is refused by its `Content-Length` before a byte of it is read, and a body sent
///   without one (chunked) is refused as soon as it passes the limit: `413` with an AWS error document, then the
///   connection is closed, so nothing more of it is read or drained;
/// - a request must arrive whole within ``requestTimeout`` of its head (slow bodies, clients that stop sending);
///   connections that never send a complete head are closed by Hummingbird's idle timeout.
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
            if let length = head.headerFields[.contentLength], let declared = Int(length), declared > self.maximumBodySize {
                self.refuse(context: context)
                return
            }
            self.deadline?.cancel()
            let channel = context.channel
            self.deadline = context.eventLoop.scheduleTask(in: self.requestTimeout) { channel.close(promise: nil) }
        case .body(let buffer):
            self.bodyBytes += buffer.readableBytes
            if self.bodyBytes > self.maximumBodySize {
                self.refuse(context: context)
                return
            }
        case .end:
            self.deadline?.cancel()
            self.deadline = nil
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.deadline?.cancel()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.deadline?.cancel()
        context.fireChannelInactive()
    }

    /// Answers `413` in EC2's error envelope (the service is not known before the body is read) and closes.
    private func refuse(context: ChannelHandlerContext) {
        self.refused = true
        self.deadline?.cancel()
        let body = Self.errorDocument(limit: self.maximumBodySize, requestID: self.newRequestID())
        var fields = HTTPFields()
        fields[.contentType] = "text/xml;charset=UTF-8"
        fields[.contentLength] = String(body.utf8.count)
        fields[.connection] = "close"
        context.write(self.wrapOutboundOut(.head(HTTPResponse(status: .contentTooLarge, headerFields: fields))), promise: nil)
        context.write(self.wrapOutboundOut(.body(context.channel.allocator.buffer(string: body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    static func errorDocument(limit: Int, requestID: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <Response><Errors><Error><Code>RequestEntityTooLarge</Code><Message>The request body is larger than the limit of \(limit) bytes.</Message></Error></Errors><RequestID>\(requestID)</RequestID></Response>
        """
    }
}
