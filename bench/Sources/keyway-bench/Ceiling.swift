import Foundation
import Hummingbird

/// The trivial handler the server benchmark measures against: Hummingbird on the same machine, answering every POST
/// with a fixed body after reading the request's, and doing nothing else. Its rate is the ceiling for any HTTP
/// request here. Listens on 127.0.0.1:`port` until it gets SIGTERM or SIGINT.
func serveCeiling(port: Int, body: [UInt8]) async throws {
    let router = Router()
    let response = ByteBuffer(bytes: body)
    router.post("/") { request, _ -> Response in
        _ = try await request.body.collect(upTo: 1 << 20)
        return Response(
            status: .ok,
            headers: [.contentType: "text/xml;charset=UTF-8"],
            body: .init(byteBuffer: response)
        )
    }
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    try await app.runService()
}
