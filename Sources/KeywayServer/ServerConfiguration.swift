import AWSProtocol
import Foundation
import KeywayCore
import Logging

/// Everything `keyway serve` can be told: where to listen, where to keep data, which regions to serve.
public struct ServerConfiguration: Sendable {
    /// The account `--dev` uses unless told otherwise, as emulator users expect it.
    public static let defaultDevAccount = AccountID(rawValue: "000000000000")!

    /// Where the state is kept.
    public enum Storage: Sendable {
        /// The embedded SQLite database in this folder.
        case sqlite(directory: URL)
        /// Memory only; everything is gone when the process ends. For tests.
        case memory
    }

    /// The address to listen on; loopback by default.
    public var host: String
    /// The port; 0 picks a free one (the chosen port is reported when listening starts).
    public var port: Int
    public var storage: Storage
    /// The regions served; a request signed for any other region is refused.
    public var regions: [Region]
    /// Dev mode (`--dev`): requests signed with keys Keyway did not issue are accepted, unverified, as the root of
    /// this account, and `POST /_keyway/reset` wipes all state. Nil: strict SigV4 on every request.
    public var devAccount: AccountID?
    /// Key pairs an account may hold in one region; AWS's default quota is 5,000.
    public var keyPairLimitPerRegion: Int
    /// The largest request body read; larger ones are refused with an AWS-style error.
    public var maximumBodySize: Int
    public var logLevel: Logger.Level
    /// Time, IDs and key generation for the key pair rules.
    public var environment: KeyPairService.Environment
    /// Time and identifiers for accounts, users and access keys.
    public var identityEnvironment: IdentityService.Environment
    /// The port of the instance metadata listeners (one per running instance, on its loopback address); nil: off.
    public var metadataPort: Int?
    /// Whether the metadata service refuses requests without an IMDSv2 token.
    public var metadataTokensRequired: Bool
    /// How often recorded access key uses are written.
    public var usageFlushInterval: Duration
    /// Makes each request's ID; injectable so golden tests are stable.
    public var newRequestID: @Sendable () -> String
    /// Open connections served at once; past it, new ones wait in the kernel's queue until one closes. Nil: from the
    /// process's descriptor limit (raised to its hard limit at start), keeping a reserve for the database and files.
    public var maximumConnections: Int?
    /// How long a connection may stay without a complete request head (new, or idle between requests).
    public var idleTimeout: Duration = .seconds(20)
    /// How long a request may take to arrive whole once its head is in.
    public var requestTimeout: Duration = .seconds(60)
    /// Requests worked on at once; past it, AWS's throttling answer.
    public var maximumRequestsInFlight: Int = 512
    /// Instances (not terminated) an account may have in one region; past it, `InstanceLimitExceeded`.
    public var instanceLimitPerRegion: Int = InstanceService.defaultLimitPerRegion

    public init(
        host: String = "127.0.0.1",
        port: Int = 4566,
        storage: Storage = .sqlite(directory: URL(fileURLWithPath: "keyway-data")),
        regions: [Region] = Region.standard,
        devAccount: AccountID? = nil,
        keyPairLimitPerRegion: Int = KeyPair.defaultLimitPerRegion,
        maximumBodySize: Int = 8 << 20,
        logLevel: Logger.Level = .info,
        environment: KeyPairService.Environment = .live,
        identityEnvironment: IdentityService.Environment = .live,
        usageFlushInterval: Duration = .seconds(5),
        metadataPort: Int? = nil,
        metadataTokensRequired: Bool = false,
        newRequestID: @escaping @Sendable () -> String = { RequestID.random() }
    ) {
        self.host = host
        self.port = port
        self.storage = storage
        self.regions = regions
        self.devAccount = devAccount
        self.keyPairLimitPerRegion = keyPairLimitPerRegion
        self.maximumBodySize = maximumBodySize
        self.logLevel = logLevel
        self.environment = environment
        self.identityEnvironment = identityEnvironment
        self.usageFlushInterval = usageFlushInterval
        self.metadataPort = metadataPort
        self.metadataTokensRequired = metadataTokensRequired
        self.newRequestID = newRequestID
    }
}
