import Crypto
import Foundation
import KeyFormats
import KeywayCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The instance metadata service: the address a request arrives at (each instance's own loopback address) says
/// which instance asks, as in EC2. IMDSv2 session tokens included.
///
/// One socket serves every instance: bound to the port on all addresses but tied to the loopback interface
/// (`SO_BINDTODEVICE lo`), so it takes connections to any 127.x.y.z and nothing from another machine, and a
/// connection to an address outside 127.0.0.0/8 is closed unanswered. A thousand running instances cost one
/// descriptor, not a thousand (issue 13). Where the platform refuses that option, one listener per running
/// instance's address is the fallback.
final class MetadataListener: Sendable {
    let port: Int
    /// Refuse token-less requests (IMDSv2 only), as `HttpTokens=required` does.
    let requireTokens: Bool
    private let store: any InstanceStore
    private let group: any EventLoopGroup
    private let logger: Logger
    private let channels = Mutex<[String: any Channel]>([:])
    /// The one socket for all addresses, once ``start()`` opened it.
    private let shared = Mutex<(any Channel)?>(nil)
    private let tokens = Mutex<[String: (ip: String, expires: Date)]>([:])
    private let now: @Sendable () -> Date

    init(port: Int, requireTokens: Bool, store: any InstanceStore, logger: Logger, now: @escaping @Sendable () -> Date)
    {
        self.port = port
        self.requireTokens = requireTokens
        self.store = store
        self.group = MultiThreadedEventLoopGroup.singleton
        self.logger = logger
        self.now = now
    }

    /// Opens the shared socket; false when the platform does not allow it (then ``follow(_:)`` opens one listener
    /// per running instance).
    func start() async -> Bool {
        #if canImport(Glibc)
        do {
            let descriptor = try Self.loopbackSocket(port: self.port)
            let channel = try await self.bootstrap(ip: nil).withBoundSocket(descriptor).get()
            self.shared.withLock { $0 = channel }
            self.logger.info("metadata service listening", metadata: ["address": "127.0.0.0/8:\(self.port)"])
            return true
        } catch {
            self.logger.warning(
                "metadata service cannot share one loopback socket; opening one listener per instance",
                metadata: ["port": "\(self.port)", "cause": "\(error)"]
            )
            return false
        }
        #else
        return false
        #endif
    }

    #if canImport(Glibc)
    /// A TCP socket bound to `0.0.0.0:port` that only the loopback interface delivers to.
    private static func loopbackSocket(port: Int) throws -> CInt {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw MetadataListenerError(step: "socket", errno: errno) }
        var one: CInt = 1
        let device = Array("lo".utf8CString)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        address.sin_addr = in_addr(s_addr: 0)
        let failed: String? = device.withUnsafeBufferPointer { name in
            if setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<CInt>.size)) != 0 {
                return "SO_REUSEADDR"
            }
            if setsockopt(descriptor, SOL_SOCKET, SO_BINDTODEVICE, name.baseAddress, socklen_t(name.count)) != 0 {
                return "SO_BINDTODEVICE lo"
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            return bound == 0 ? nil : "bind"
        }
        if let failed {
            let code = errno
            close(descriptor)
            throw MetadataListenerError(step: failed, errno: code)
        }
        return descriptor
    }
    #endif

    private func bootstrap(ip: String?) -> ServerBootstrap {
        ServerBootstrap(group: self.group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 1024)
            // An HTTP/1.0 client or `nc -N` closes its sending side after the request and still waits for the answer.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                // The shared socket: the local address is the instance's; only loopback addresses are answered.
                guard let local = ip ?? channel.localAddress?.ipAddress, local.hasPrefix("127.") else {
                    return channel.close()
                }
                // An address that is no running instance's is closed unanswered, as a stopped machine answers
                // nothing; the connection is not read from before this decides.
                let running = channel.eventLoop.makePromise(of: Bool.self)
                running.completeWithTask { [store = self.store] in
                    (try? await store.instance(privateIP: local))?.state == .running
                }
                return running.futureResult.flatMap { isRunning in
                    guard isRunning else { return channel.close() }
                    return channel.pipeline.configureHTTPServerPipeline().flatMap {
                        channel.pipeline.addHandler(MetadataHandler(listener: self, ip: local))
                    }
                }
            }
    }

    /// Opens listeners for running instances and closes them for the others (only without the shared socket).
    func follow(_ instances: [Instance]) async {
        guard self.shared.withLock({ $0 }) == nil else { return }
        for instance in instances {
            if instance.state == .running {
                await self.open(instance.privateIP)
            } else {
                let channel = self.channels.withLock { $0.removeValue(forKey: instance.privateIP) }
                try? await channel?.close()
            }
        }
    }

    /// Closes the per-instance listeners (the dev reset); the shared socket stays.
    func closeAll() async {
        let all = self.channels.withLock { channels in
            defer { channels.removeAll() }
            return Array(channels.values)
        }
        for channel in all { try? await channel.close() }
    }

    /// Closes everything, the shared socket included (shutdown).
    func stop() async {
        await self.closeAll()
        let shared = self.shared.withLock { shared in
            defer { shared = nil }
            return shared
        }
        try? await shared?.close()
    }

    private func open(_ ip: String) async {
        guard self.channels.withLock({ $0[ip] }) == nil else { return }
        do {
            let channel = try await self.bootstrap(ip: ip).bind(host: ip, port: self.port).get()
            self.channels.withLock { $0[ip] = channel }
        } catch {
            self.logger.warning(
                "metadata listener could not bind",
                metadata: ["address": "\(ip):\(self.port)", "error": "\(error)"]
            )
        }
    }

    /// Answers one metadata request: status, body.
    func answer(ip: String, method: HTTPMethod, uri: String, headers: HTTPHeaders) async -> (HTTPResponseStatus, String)
    {
        let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri
        if method == .PUT {
            guard path == "/latest/api/token" else { return (.forbidden, "Forbidden") }
            guard headers["X-Forwarded-For"].isEmpty else { return (.forbidden, "Forbidden") }
            guard let ttlText = headers["X-aws-ec2-metadata-token-ttl-seconds"].first, let ttl = Int(ttlText),
                (1...21_600).contains(ttl)
            else {
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
        let found: Instance?
        do {
            found = try await self.store.instance(privateIP: ip)
        } catch {
            self.logger.error("metadata lookup failed", metadata: ["address": "\(ip)", "cause": "\(error)"])
            return (.internalServerError, "Internal Server Error")
        }
        guard let instance = found, instance.state == .running else {
            return (.notFound, "Not Found")
        }
        return Self.metadata(path: path, instance: instance)
    }

    /// The `/latest/meta-data/` tree (EC2 User Guide, instance metadata categories; docs/aws-behaviour.md), for the
    /// part Keyway knows. Directories list their entries one a line, sub-directories with a trailing `/`.
    static func metadata(path: String, instance: Instance) -> (HTTPResponseStatus, String) {
        let network = NetworkIdentity(instance)
        let macBase = "network/interfaces/macs/\(network.mac)/"
        var items: [String: String] = [
            "ami-id": instance.imageID, "instance-id": instance.id.rawValue, "instance-type": instance.instanceType,
            "local-ipv4": instance.privateIP, "local-hostname": instance.privateDNSName,
            "hostname": instance.privateDNSName,
            "ami-launch-index": String(instance.launchIndex), "reservation-id": instance.reservationID,
            "placement/availability-zone": instance.scope.region.rawValue + "a",
            "placement/region": instance.scope.region.rawValue,
            "mac": network.mac, "security-groups": NetworkIdentity.securityGroupName,
            "services/domain": "amazonaws.com", "services/partition": "aws",
            macBase + "device-number": "0", macBase + "interface-id": network.interfaceID,
            macBase + "local-hostname": instance.privateDNSName, macBase + "local-ipv4s": instance.privateIP,
            macBase + "mac": network.mac, macBase + "network-card-index": "0",
            macBase + "owner-id": instance.scope.account.rawValue,
            macBase + "security-group-ids": network.securityGroupID,
            macBase + "security-groups": NetworkIdentity.securityGroupName, macBase + "subnet-id": network.subnetID,
            macBase + "subnet-ipv4-cidr-block": NetworkIdentity.cidrBlock, macBase + "vpc-id": network.vpcID,
            macBase + "vpc-ipv4-cidr-block": NetworkIdentity.cidrBlock,
            macBase + "vpc-ipv4-cidr-blocks": NetworkIdentity.cidrBlock,
        ]
        // The metadata keeps showing the launch key, even after recovery changed the authorized keys.
        if let keyName = instance.keyName, let key = instance.launchPublicKey {
            items["public-keys/0/openssh-key"] = key
        }
        let base = "/latest/meta-data/"
        if path == "/latest" || path == "/latest/" { return (.ok, "dynamic\nmeta-data") }
        guard path == "/latest/meta-data" || path.hasPrefix(base) else { return (.notFound, "Not Found") }
        let item = String(path.dropFirst(min(path.count, base.count)))
        if item == "public-keys" || item == "public-keys/", let keyName = instance.keyName,
            instance.launchPublicKey != nil
        {
            // EC2's one odd listing: `INDEX=KEY-NAME`.
            return (.ok, "0=\(keyName)")
        }
        if let value = items[item] { return (.ok, value) }
        // A directory: its entries, or a leaf asked for with a trailing slash (as botocore's region fetcher asks).
        let directory = item.isEmpty || item.hasSuffix("/") ? item : item + "/"
        if item.hasSuffix("/"), let value = items[String(item.dropLast())] { return (.ok, value) }
        var entries = Set<String>()
        for key in items.keys where key.hasPrefix(directory) {
            let rest = key.dropFirst(directory.count)
            if let slash = rest.firstIndex(of: "/") {
                entries.insert(String(rest[..<slash]) + "/")
            } else {
                entries.insert(String(rest))
            }
        }
        guard !entries.isEmpty else { return (.notFound, "Not Found") }
        return (.ok, entries.sorted().joined(separator: "\n"))
    }
}

/// The network identity EC2 gives every instance and Keyway derives from the instance's ID and scope, so it is
/// stable without being stored: a MAC address, an interface, and the default VPC's subnet and security group.
struct NetworkIdentity {
    /// The security group every instance is in (EC2's default group of a VPC).
    static let securityGroupName = "default"
    /// The private addresses Keyway gives instances: the loopback range.
    static let cidrBlock = "127.0.0.0/8"

    let mac: String
    let interfaceID: String
    let subnetID: String
    let vpcID: String
    let securityGroupID: String

    init(_ instance: Instance) {
        let own = Array(SHA256.hash(data: Array(instance.id.rawValue.utf8)))
        let scope = Array(
            SHA256.hash(data: Array("\(instance.scope.account.rawValue)/\(instance.scope.region.rawValue)".utf8))
        )
        // 0e: a locally administered unicast address, as EC2's are.
        self.mac = Hex.encode([0x0E] + own.prefix(5), separator: ":")
        self.interfaceID = "eni-" + Hex.encode(own.dropFirst(5).prefix(9)).prefix(17)
        self.vpcID = "vpc-" + Hex.encode(scope.prefix(9)).prefix(17)
        self.subnetID = "subnet-" + Hex.encode(scope.dropFirst(9).prefix(9)).prefix(17)
        self.securityGroupID = "sg-" + Hex.encode(scope.dropFirst(18).prefix(9)).prefix(17)
    }
}

/// One connection's HTTP handler for the metadata listener.
final class MetadataHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let listener: MetadataListener
    private let ip: String
    private var head: HTTPRequestHead?
    /// Requests read whose answers are not written yet.
    private var pending = 0
    /// The client closed its sending side: close once the pending answers are written.
    private var inputClosed = false

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
            self.pending += 1
            let listener = self.listener
            let ip = self.ip
            let promise = context.eventLoop.makePromise(of: (HTTPResponseStatus, String).self)
            promise.completeWithTask {
                await listener.answer(ip: ip, method: head.method, uri: head.uri, headers: head.headers)
            }
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            promise.futureResult.whenSuccess { status, body in
                let (handler, context) = loopBound.value
                handler.respond(context: context, head: head, status: status, body: body)
            }
        }
    }

    private func respond(
        context: ChannelHandlerContext,
        head: HTTPRequestHead,
        status: HTTPResponseStatus,
        body: String
    ) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain")
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        headers.add(name: "Server", value: "EC2ws")
        context.write(
            self.wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
            promise: nil
        )
        if head.method != .HEAD {
            context.write(
                self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))),
                promise: nil
            )
        }
        self.pending -= 1
        let close = !head.isKeepAlive || (self.inputClosed && self.pending == 0)
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
            if close { channel.close(promise: nil) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            self.inputClosed = true
            if self.pending == 0 && self.head == nil { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// The shared metadata socket could not be made; `step` says which call failed.
struct MetadataListenerError: Error, CustomStringConvertible {
    let step: String
    let errno: CInt
    var description: String { "\(self.step) failed: \(String(cString: strerror(self.errno)))" }
}
