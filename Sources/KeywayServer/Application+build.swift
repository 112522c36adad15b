import EC2API
import Foundation
import Hummingbird
import KeywayCore
import KeywayStorage
import Logging

/// Builds the Keyway application: the store, the services, the HTTP responder.
///
/// - Parameter onListening: called with the bound port once the server listens (with `port` 0, the chosen one).
public func buildApplication(
    configuration: ServerConfiguration, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    var logger = Logger(label: "keyway")
    logger.logLevel = configuration.logLevel
    let store: any KeyPairStore
    switch configuration.storage {
    case .memory:
        store = InMemoryKeyPairStore()
    case .sqlite(let directory):
        store = SQLiteKeyPairStore(database: try SQLiteDatabase(directory: directory))
    }
    let keyPairs = KeyPairService(
        store: store, environment: configuration.environment, limitPerRegion: configuration.keyPairLimitPerRegion
    )
    let dispatcher = AWSDispatcher(
        ec2: EC2Service(keyPairs: keyPairs, regions: configuration.regions),
        defaultAccount: configuration.defaultAccount, regions: Set(configuration.regions)
    )
    let responder = KeywayResponder(
        dispatcher: dispatcher, maximumBodySize: configuration.maximumBodySize,
        newRequestID: configuration.newRequestID
    )
    return Application(
        responder: responder,
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: "Keyway"
        ),
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
}
