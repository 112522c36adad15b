import Foundation
import KeywayCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The instance metadata service: one HTTP listener per running instance, on the instance's own loopback address,
/// so the address a request arrives at says which instance asks, as in EC2. IMDSv2 session tokens included.
final class MetadataListener: Sendable {
    let port: Int
    /// Refuse token-less requests (IMDSv2 only), as `HttpTokens=required` does.
    let requireTokens: Bool
    private let store: any InstanceStore
    private let group: any EventLoopGroup
    private let logger: Logger
    private let channels = Mutex<[String: any Channel]>([:])
    private let tokens = Mutex<[String: (ip: String, expires: Date)]>([:])
    private let now: @Sendable () -> Date

    init(port: Int, requireTokens: Bool, store: any InstanceStore, logger: Logger, now: @escaping @Sendable () -> Date) {
        self.port = port
        self.requireTokens = requireTokens
        self.store = store
        self.group = MultiThreadedEventLoopGroup.singleton
        self.logger = logger
        self.now = now
    }

    /// Opens listeners for running instances and closes them for the others.
    func follow(_ instances: [Instance]) async {
        for instance in instances {
            if instance.state == .running {
                await self.open(instance.privateIP)
            } else {
                let channel = self.channels.withLock { $0.removeValue(forKey: instance.privateIP) }
                try? await channel?.close()
            }
        }
    }

    func closeAll() async {
        let all = self.channels.withLock { channels in
            defer { channels.removeAll() }
            return Array(channels.values)
        }
        for channel in all { try? await channel.close() }
    }

    private func open(_ ip: String) async {
        guard self.channels.withLock({ $0[ip] }) == nil else { return }
        do {
            let channel = try await ServerBootstrap(group: self.group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.pipeline.configureHTTPServerPipeline().flatMap {
                        channel.pipeline.addHandler(MetadataHandler(listener: self, ip: ip))
                    }
                }
                .bind(host: ip, port: self.port).get()
            self.channels.withLock { $0[ip] = channel }
        } catch {
            self.logger.warning("metadata listener could not bind", metadata: ["address": "\(ip):\(self.port)", "error": "\(error)"])
        }
    }

    /// Answers one metadata request: status, body.
    func answer(ip: String, method: HTTPMethod, uri: String, headers: HTTPHeaders) async -> (HTTPResponseStatus, String) {
        let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri
        if method == .PUT {
            guard path == "/latest/api/token" else { return (.forbidden, "Forbidden") }
            guard headers["X-Forwarded-For"].isEmpty else { return (.forbidden, "Forbidden") }
            guard let ttlText = headers["X-aws-ec2-metadata-token-ttl-seconds"].first, let ttl = Int(ttlText), (1...21_600).contains(ttl) else {
                return (.badRequest, "Bad Request")
            }
            var generator = SystemRandomNumberGenerator()
            let token = (0..<4).map { _ in String(generator.next(), radix: 16) }.joined()
            let now = self.now()
            self.tokens.withLock { tokens in
                tokens = tokens.filter { $0.value.expires > now }
                tokens[token] = (ip, now.addingTimeInterval(TimeInterval(ttl)))
            }
            return (.ok, token)
        }
        guard method == .GET || method == .HEAD else { return (.methodNotAllowed, "Method Not Allowed") }
        if let token = headers["X-aws-ec2-metadata-token"].first {
            let valid = self.tokens.withLock { $0[token].map { $0.ip == ip && $0.expires > self.now() } ?? false }
            guard valid else { return (.unauthorized, "Unauthorized") }
        } else if self.requireTokens {
            return (.unauthorized, "Unauthorized")
        }
        guard let instance = try? await self.store.instance(privateIP: ip), instance.state == .running else {
            return (.notFound, "Not Found")
        }
        return Self.metadata(path: path, instance: instance)
    }

    /// The `/latest/meta-data/` tree (EC2 User Guide, instance metadata categories), for the part Keyway knows.
    static func metadata(path: String, instance: Instance) -> (HTTPResponseStatus, String) {
        var items: [String: String] = [
            "ami-id": instance.imageID, "instance-id": instance.id.rawValue, "instance-type": instance.instanceType,
            "local-ipv4": instance.privateIP, "local-hostname": instance.privateDNSName, "hostname": instance.privateDNSName,
            "ami-launch-index": String(instance.launchIndex), "reservation-id": instance.reservationID,
            "placement/availability-zone": instance.scope.region.rawValue + "a", "placement/region": instance.scope.region.rawValue,
        ]
        // The metadata keeps showing the launch key, even after recovery changed the authorized keys.
        if let keyName = instance.keyName, let key = instance.launchPublicKey {
            items["public-keys/"] = "0=\(keyName)"
            items["public-keys/0/"] = "openssh-key"
            items["public-keys/0/openssh-key"] = key
        }
        let base = "/latest/meta-data/"
        if path == "/latest/meta-data" || path == base {
            var names = Set(items.keys.map { key -> String in
                let first = key.split(separator: "/", maxSplits: 1).first.map(String.init) ?? key
                return key.contains("/") ? first + "/" : first
            })
            names.remove("")
            return (.ok, names.sorted().joined(separator: "\n"))
        }
        guard path.hasPrefix(base) else {
            return path == "/latest" || path == "/latest/" ? (.ok, "dynamic\nmeta-data") : (.notFound, "Not Found")
        }
        let item = String(path.dropFirst(base.count))
        if let value = items[item] { return (.ok, value) }
        // EC2 also answers a leaf asked for with a trailing slash, as botocore's region fetcher asks for it.
        if item.hasSuffix("/"), let value = items[String(item.dropLast())] { return (.ok, value) }
        if item == "placement/" || item == "placement" { return (.ok, "availability-zone\nregion") }
        return (.notFound, "Not Found")
    }
}

/// One connection's HTTP handler for the metadata listener.
final class MetadataHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let listener: MetadataListener
    private let ip: String
    private var head: HTTPRequestHead?

    init(listener: MetadataListener, ip: String) {
        self.listener = listener
        self.ip = ip
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head = self.head else { return }
            self.head = nil
            let listener = self.listener
            let ip = self.ip
            let promise = context.eventLoop.makePromise(of: (HTTPResponseStatus, String).self)
            promise.completeWithTask { await listener.answer(ip: ip, method: head.method, uri: head.uri, headers: head.headers) }
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            promise.futureResult.whenSuccess { status, body in
                let (handler, context) = loopBound.value
                handler.respond(context: context, head: head, status: status, body: body)
            }
        }
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus, body: String) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain")
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        headers.add(name: "Server", value: "EC2ws")
        context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        }
        context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
        if !head.isKeepAlive { context.close(promise: nil) }
    }
}
