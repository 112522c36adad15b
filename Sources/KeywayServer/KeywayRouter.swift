import Foundation
import HTTPTypes
import Hummingbird
import KeywayCore
import Logging

/// Every HTTP route Keyway serves on its main port, in Hummingbird's router:
///
/// - the AWS endpoint (GET and POST, any path; the `Action` and signature say what to do);
/// - `GET /_keyway/instances/ID/authorized-keys?user=NAME`, what `keyway authorized-keys` asks for an SSH server;
/// - in `--dev` mode only, `POST /_keyway/reset` (wipe all state) and `POST /_keyway/clock?advance=SECONDS`.
///
/// Anything else (another method, or a dev route outside dev mode) is answered by the AWS endpoint, which refuses
/// it in AWS's envelope, so no request ever gets a framework's HTML error page.
enum KeywayRouter {
    static func build(
        endpoint: AWSEndpoint,
        instances: InstanceService,
        reset: (@Sendable () async throws -> Void)?,
        clock: ClockOffset?
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: FallbackToAWSEndpoint(endpoint: endpoint))
        router.get("/_keyway/instances/:id/authorized-keys") { request, context -> Response in
            // Public keys only, one a line; a lookup that fails answers 500 and the client prints nothing (fail closed).
            let id = context.parameters.get("id") ?? ""
            let user = request.uri.queryParameters.get("user") ?? ""
            let keys: [String]
            do {
                keys = try await instances.authorizedKeys(instanceID: id, user: user)
            } catch {
                context.logger.error(
                    "authorized-keys lookup failed",
                    metadata: ["instance": .string(String(id.prefix(32))), "cause": .string("\(error)")]
                )
                return Response(status: .internalServerError, headers: [.contentType: "text/plain"])
            }
            context.logger.info(
                "authorized-keys",
                metadata: [
                    "instance": .string(String(id.prefix(32))), "user": .string(String(user.prefix(32))),
                    "keys": .stringConvertible(keys.count),
                ]
            )
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: keys.map { $0 + "\n" }.joined()))
            )
        }
        if let reset {
            router.post("/_keyway/reset") { _, context -> Response in
                try await reset()
                context.logger.warning("dev mode: all state was reset")
                return Self.json(.ok, #"{"reset":true}"#)
            }
        }
        if let clock {
            router.post("/_keyway/clock") { request, context -> Response in
                // Only a finite number of seconds within ten years: NaN or infinity would poison every date after it.
                guard let seconds = request.uri.queryParameters.get("advance").flatMap(Double.init),
                    clock.advance(by: seconds)
                else {
                    return Self.json(
                        .badRequest,
                        #"{"error":"advance must be a finite number of seconds, at most ten years"}"#
                    )
                }
                context.logger.warning("dev mode: clock advanced", metadata: ["seconds": .stringConvertible(seconds)])
                return Self.json(.ok, #"{"advanced":\#(seconds)}"#)
            }
        }
        router.on("/", method: .post, responder: endpoint)
        router.on("/", method: .get, responder: endpoint)
        router.on("**", method: .post, responder: endpoint)
        router.on("**", method: .get, responder: endpoint)
        return router
    }

    private static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }
}

/// Hands requests no route matched (another HTTP method, mostly) to the AWS endpoint, which answers in AWS's terms.
struct FallbackToAWSEndpoint: RouterMiddleware {
    typealias Context = BasicRequestContext
    let endpoint: AWSEndpoint

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            return try await self.endpoint.respond(to: request, context: context)
        }
    }
}
