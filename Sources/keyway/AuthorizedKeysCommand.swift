import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// `keyway authorized-keys`: the command an OpenSSH server runs as its `AuthorizedKeysCommand`.
///
/// It asks the Keyway server which keys may log in as the user and prints them, one a line. It fails closed: when
/// Keyway cannot be reached or answers anything but 200, it prints nothing and exits 1, so sshd lets no key in.
struct AuthorizedKeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authorized-keys",
        abstract: "Print the public keys allowed into an instance (for sshd's AuthorizedKeysCommand).",
        discussion: "sshd_config: AuthorizedKeysCommand /path/keyway authorized-keys --endpoint http://127.0.0.1:4566 --instance-id i-… %u"
    )

    @Option(help: "The Keyway server's endpoint.")
    var endpoint = "http://127.0.0.1:4566"

    @Option(help: "The instance this host is.")
    var instanceId: String

    @Option(help: "Seconds to wait for Keyway before giving up (and letting nobody in).")
    var timeout: Double = 5

    @Argument(help: "The user logging in (sshd's %u).")
    var user: String

    func run() async throws {
        var components = URLComponents(string: self.endpoint)
        components?.path = "/_keyway/instances/\(self.instanceId)/authorized-keys"
        components?.queryItems = [URLQueryItem(name: "user", value: self.user)]
        guard let components, components.scheme == "http", let host = components.host,
            let query = components.percentEncodedQuery
        else { throw ExitCode(1) }
        let target = components.percentEncodedPath + "?" + query
        let port = components.port ?? 80
        let timeout = self.timeout
        // NIO rather than URLSession: FoundationNetworking would load libcurl and its dependencies into every keyway
        // process, the server included, for this one request.
        let answer = try? await withThrowingTaskGroup(of: (HTTPResponseStatus, String)?.self) { group in
            group.addTask { try await Self.get(host: host, port: port, target: target) }
            group.addTask {
                try await Task.sleep(for: .seconds(timeout))
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        guard let (status, body) = answer, status == .ok else { throw ExitCode(1) }
        let lines = body.split(separator: "\n")
        // Only key lines pass: a damaged answer can never smuggle authorized_keys options in.
        let keys = lines.filter { $0.hasPrefix("ssh-rsa ") || $0.hasPrefix("ssh-ed25519 ") }
        FileHandle.standardOutput.write(Data(keys.map { $0 + "\n" }.joined().utf8))
    }

    /// One HTTP/1.1 GET; returns the status and the body.
    private static func get(host: String, port: Int, target: String) async throws -> (HTTPResponseStatus, String) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target)
            head.headers.add(name: "Host", value: port == 80 ? host : "\(host):\(port)")
            head.headers.add(name: "Connection", value: "close")
            try await outbound.write(.head(head))
            try await outbound.write(.end(nil))
            var status: HTTPResponseStatus?
            var body = ByteBuffer()
            for try await part in inbound {
                switch part {
                case .head(let response): status = response.status
                case .body(var chunk): body.writeBuffer(&chunk)
                case .end:
                    guard let status else { throw ExitCode(1) }
                    return (status, String(buffer: body))
                }
            }
            throw ExitCode(1)
        }
    }
}
