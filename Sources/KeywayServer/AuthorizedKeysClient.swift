import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The client side of `keyway authorized-keys`: asks a Keyway server which keys may log in to an instance, over
/// `GET /_keyway/instances/ID/authorized-keys`.
///
/// It uses NIO rather than URLSession: FoundationNetworking would load libcurl and its dependencies into every keyway
/// process, the server included, for this one request.
public enum AuthorizedKeysClient {
    /// The OpenSSH key lines allowed in as `user`, or nil when Keyway cannot be reached within `timeout` or answers
    /// anything but 200, so the caller can fail closed. Only `ssh-rsa` and `ssh-ed25519` lines pass: a damaged
    /// answer can never smuggle `authorized_keys` options in.
    public static func fetch(endpoint: String, instanceID: String, user: String, timeout: Duration) async -> [String]? {
        var components = URLComponents(string: endpoint)
        components?.path = "/_keyway/instances/\(instanceID)/authorized-keys"
        components?.queryItems = [URLQueryItem(name: "user", value: user)]
        guard let components, components.scheme == "http", let host = components.host,
            let query = components.percentEncodedQuery
        else { return nil }
        let target = components.percentEncodedPath + "?" + query
        let port = components.port ?? 80
        let answer = try? await withThrowingTaskGroup(of: (HTTPResponseStatus, String)?.self) { group in
            group.addTask { try await Self.get(host: host, port: port, target: target, timeout: timeout) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        guard let (status, body) = answer, status == .ok else { return nil }
        return body.split(separator: "\n").filter { $0.hasPrefix("ssh-rsa ") || $0.hasPrefix("ssh-ed25519 ") }.map(
            String.init
        )
    }

    private struct IncompleteResponse: Error {}

    /// One HTTP/1.1 GET; returns the status and the body.
    private static func get(
        host: String,
        port: Int,
        target: String,
        timeout: Duration
    ) async throws -> (HTTPResponseStatus, String) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            // The task group's deadline cannot interrupt a connect; this bounds it too.
            .connectTimeout(TimeAmount(timeout))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                        wrappingChannelSynchronously: channel
                    )
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
                    guard let status else { throw IncompleteResponse() }
                    return (status, String(buffer: body))
                }
            }
            throw IncompleteResponse()
        }
    }
}
