import EC2API
import Foundation
import Hummingbird
import HummingbirdCore
import IAMAPI
import KeywayCore
import KeywayStorage
import Logging
import NIOCore
import ServiceLifecycle

/// Credentials made when the server starts on an empty store, to be shown once.
public struct StartupCredentials: Sendable {
    public let account: AccountID
    public let accessKeyID: String
    public let secretAccessKey: String
    /// Where they were written, in the AWS CLI's credentials-file format; nil for memory storage.
    public let file: URL?
    /// Why they could not be written to the data folder, when they could not; they are then shown only once.
    public var fileError: String? = nil
}

/// Builds the Keyway application: the stores, the services, authentication, the HTTP responder.
///
/// On an empty store it creates the first account and its root key (in `--dev` mode, the dev account) and writes
/// them to `credentials` in the data folder, mode 0600.
///
/// - Parameters:
///   - onStartupCredentials: called once with credentials created at this start.
///   - onListening: called with the bound port once the server listens (with `port` 0, the chosen one).
public func buildApplication(
    configuration: ServerConfiguration,
    onStartupCredentials: @escaping @Sendable (StartupCredentials) -> Void = { _ in },
    onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    var logger = Logger(label: "keyway")
    logger.logLevel = configuration.logLevel
    let keyPairStore: any KeyPairStore
    let identityStore: any IdentityStore
    let certificateStore: any ServerCertificateStore
    let instanceStore: any InstanceStore
    var dataDirectory: URL?
    var checkpoints: CheckpointService?
    switch configuration.storage {
    case .memory:
        keyPairStore = InMemoryKeyPairStore()
        identityStore = InMemoryIdentityStore()
        certificateStore = InMemoryServerCertificateStore()
        instanceStore = InMemoryInstanceStore()
    case .sqlite(let directory):
        // The master key is checked before the database is opened for writing: a refused start changes nothing.
        let sealer = try SecretSealer.load(directory: directory)
        let database = try SQLiteDatabase(directory: directory, backgroundCheckpoints: true)
        try sealer.recordCanary(in: database)
        checkpoints = CheckpointService(database: database, interval: .milliseconds(50), logger: logger)
        keyPairStore = SQLiteKeyPairStore(database: database)
        identityStore = SQLiteIdentityStore(database: database, sealer: sealer)
        certificateStore = SQLiteServerCertificateStore(database: database, sealer: sealer)
        instanceStore = SQLiteInstanceStore(database: database)
        dataDirectory = directory
    }
    let identity = IdentityService(store: identityStore, environment: configuration.identityEnvironment)
    if let created = try await ensureAccount(identity, devAccount: configuration.devAccount) {
        // The credentials are shown even when the file cannot be written: they are the only root secret there is.
        var file: URL?
        var fileError: String?
        if let dataDirectory {
            do {
                file = try writeCredentialsFile(created, directory: dataDirectory)
            } catch {
                fileError = "\(error)"
                logger.error("cannot write the root credentials file", metadata: ["cause": .string("\(error)")])
            }
        }
        onStartupCredentials(
            StartupCredentials(
                account: created.account.id,
                accessKeyID: created.rootKey.key.id.rawValue,
                secretAccessKey: created.rootKey.secret.value,
                file: file,
                fileError: fileError
            )
        )
    }
    let keyPairs = KeyPairService(
        store: keyPairStore,
        environment: configuration.environment,
        limitPerRegion: configuration.keyPairLimitPerRegion
    )
    let usage = UsageRecorder(identity: identity, interval: configuration.usageFlushInterval, logger: logger)
    let clock = ClockOffset(base: configuration.identityEnvironment.now)
    let metadata = configuration.metadataPort.map {
        MetadataListener(
            port: $0,
            requireTokens: configuration.metadataTokensRequired,
            store: instanceStore,
            logger: logger,
            now: clock.now
        )
    }
    let instances = InstanceService(
        store: instanceStore,
        keyPairs: keyPairStore,
        pushedKeys: PushedKeys(now: clock.now),
        now: clock.now,
        limitPerRegion: configuration.instanceLimitPerRegion,
        onChange: { changed in await metadata?.follow(changed) }
    )
    let inFlight = InFlightLimit(limit: configuration.maximumRequestsInFlight)
    let dispatcher = AWSDispatcher(
        ec2: EC2Service(keyPairs: keyPairs, instances: instances, regions: configuration.regions),
        instanceConnect: InstanceConnectService(instances: instances),
        iam: IAMService(
            identity: identity,
            certificates: ServerCertificateService(store: certificateStore, now: configuration.identityEnvironment.now)
        ),
        sts: STSService(),
        authenticator: Authenticator(
            identity: identity,
            devAccount: configuration.devAccount,
            usage: usage,
            now: configuration.identityEnvironment.now
        ),
        usage: usage,
        regions: Set(configuration.regions),
        inFlight: inFlight
    )
    var reset: (@Sendable () async throws -> Void)?
    if let devAccount = configuration.devAccount {
        reset = {
            await metadata?.closeAll()
            try await instanceStore.removeAllInstances()
            await instances.pushedKeys.removeAll()
            try await keyPairStore.removeAll()
            try await certificateStore.removeAllCertificates()
            try await identity.removeAll()
            _ = try await ensureAccount(identity, devAccount: devAccount)
        }
    }
    let endpoint = AWSEndpoint(
        dispatcher: dispatcher,
        maximumBodySize: configuration.maximumBodySize,
        newRequestID: configuration.newRequestID
    )
    let router = KeywayRouter.build(
        endpoint: endpoint,
        instances: instances,
        reset: reset,
        clock: configuration.devAccount == nil ? nil : clock
    )
    let maximumConnections = configuration.maximumConnections ?? DescriptorLimit.connectionBudget()
    let maximumBodySize = configuration.maximumBodySize
    let requestTimeout = TimeAmount(configuration.requestTimeout)
    let newRequestID = configuration.newRequestID
    logger.debug("connection limits", metadata: ["connections": .stringConvertible(maximumConnections)])
    // Services stop in the reverse order: the checkpoints (which close the database) last, after the usage flush.
    var services: [any Service] = []
    if let checkpoints { services.append(checkpoints) }
    services += [usage, MemoryTrimService(inFlight: inFlight)]
    if let metadata { services.append(MetadataService(listener: metadata, store: instanceStore)) }
    return Application(
        router: router,
        server: .http1(
            configuration: HTTP1Channel.Configuration(
                additionalChannelHandlers: [
                    RequestLimitHandler(
                        maximumBodySize: maximumBodySize,
                        requestTimeout: requestTimeout,
                        newRequestID: newRequestID
                    )
                ],
                idleTimeout: TimeAmount(configuration.idleTimeout)
            )
        ),
        configuration: ApplicationConfiguration(
            // The kernel's usual cap (somaxconn) rather than 256: a burst of connections waits in the queue instead of
            // having its handshakes dropped and retried seconds later.
            address: .hostname(configuration.host, port: configuration.port),
            serverName: "Keyway",
            backlog: 4096,
            availableConnectionsDelegate: MaximumAvailableConnections(maximumConnections, logger: logger)
        ),
        services: services,
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
}

/// Creates the first account on an empty store, or the dev account when it is missing.
private func ensureAccount(
    _ identity: IdentityService,
    devAccount: AccountID?
) async throws -> (account: Account, rootKey: IdentityService.IssuedKey)? {
    if let devAccount {
        guard try await !identity.store.accounts().contains(where: { $0.id == devAccount }) else { return nil }
        return try await identity.createAccount(id: devAccount)
    }
    return try await identity.bootstrap()
}

/// Writes root credentials in the AWS CLI's credentials-file format, mode 0600, for `AWS_SHARED_CREDENTIALS_FILE`.
private func writeCredentialsFile(
    _ created: (account: Account, rootKey: IdentityService.IssuedKey),
    directory: URL
) throws -> URL {
    let file = directory.appendingPathComponent("credentials")
    let text = """
        # Root credentials of account \(created.account.id.rawValue), made by keyway serve on first start.
        [default]
        aws_access_key_id = \(created.rootKey.key.id.rawValue)
        aws_secret_access_key = \(created.rootKey.secret.value)

        """
    try? FileManager.default.removeItem(at: file)
    guard
        FileManager.default.createFile(
            atPath: file.path,
            contents: Data(text.utf8),
            attributes: [.posixPermissions: 0o600]
        )
    else {
        throw KeywayStorageError.cannotWrite(file.path)
    }
    return file
}
