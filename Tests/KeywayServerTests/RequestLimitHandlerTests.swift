import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

@testable import KeywayServer

/// The request deadline: a request must arrive whole within the timeout of its head, on one timer a connection.
@Suite struct RequestLimitHandlerTests {
    static func channel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(
            handler: RequestLimitHandler(maximumBodySize: 100, requestTimeout: .seconds(60), newRequestID: { "id" })
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    static let head = HTTPRequestPart.head(HTTPRequest(method: .post, scheme: nil, authority: "x", path: "/"))

    @Test func aRequestThatDoesNotArriveWholeIsClosedAtItsDeadline() throws {
        let channel = try Self.channel()
        try channel.writeInbound(Self.head)
        channel.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }

    /// Between requests nothing is timed here (Hummingbird's idle timeout is); a later request gets its own
    /// deadline from the same timer.
    @Test func eachRequestOfAKeepAliveConnectionGetsItsOwnDeadline() throws {
        let channel = try Self.channel()
        try channel.writeInbound(Self.head)
        try channel.writeInbound(HTTPRequestPart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(50))
        try channel.writeInbound(Self.head)
        channel.embeddedEventLoop.advanceTime(by: .seconds(50))
        #expect(channel.isActive, "the second request is 50 s old, inside its 60")
        channel.embeddedEventLoop.advanceTime(by: .seconds(11))
        #expect(!channel.isActive)
    }

    @Test func aCompleteRequestIsNeverClosedByTheDeadline() throws {
        let channel = try Self.channel()
        try channel.writeInbound(Self.head)
        try channel.writeInbound(HTTPRequestPart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(600))
        #expect(channel.isActive)
    }
}
