import ArgumentParser
import Foundation
import Hummingbird
import KeywayCore
import KeywayServer
import KeywayStorage
import Logging

/// `keyway serve`: runs the AWS-compatible endpoint until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the EC2 key pair API on an HTTP endpoint for the AWS CLI and SDKs (--endpoint-url)."
    )

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on; 0 picks a free port.")
    var port = 4566

    @Option(help: "The folder that holds the embedded SQLite database.")
    var dataDir = "keyway-data"

    @Option(help: "Comma-separated regions to serve (default: AWS's commercial regions).")
    var regions: String?

    @Flag(
        help:
            "Development mode for test suites: requests signed with keys Keyway did not issue are accepted as the dev account's root, and POST /_keyway/reset wipes all state. Never expose it."
    )
    var dev = false

    @Option(help: "The account --dev uses.")
    var devAccount = "000000000000"

    @Option(help: "Key pairs an account may hold in one region (AWS's default quota: 5000).")
    var keyPairLimit = 5000

    @Option(help: "Instances (not terminated) an account may have in one region.")
    var instanceLimit = InstanceService.defaultLimitPerRegion

    @Option(help: "Connections served at once (default: what the descriptor limit allows, less a reserve).")
    var maxConnections: Int?

    @Option(help: "Requests worked on at once; past it, AWS's throttling answer (RequestLimitExceeded, Throttling).")
    var maxRequestsInFlight = 512

    @Option(
        help:
            "Port of the instance metadata service, served on each running instance's own loopback address; 0 turns it off."
    )
    var metadataPort = 80

    @Flag(help: "Make the metadata service require IMDSv2 session tokens.")
    var metadataTokensRequired = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func run() async throws {
        // Everything the server writes in its data folder is for its owner only.
        umask(0o077)
        var configuration = ServerConfiguration(
            host: self.host,
            port: self.port,
            storage: .sqlite(directory: URL(fileURLWithPath: self.dataDir, isDirectory: true))
        )
        guard self.keyPairLimit > 0 else { throw ValidationError("--key-pair-limit must be positive.") }
        configuration.keyPairLimitPerRegion = self.keyPairLimit
        guard self.instanceLimit > 0 else { throw ValidationError("--instance-limit must be positive.") }
        configuration.instanceLimitPerRegion = self.instanceLimit
        guard self.maxRequestsInFlight > 0 else { throw ValidationError("--max-requests-in-flight must be positive.") }
        configuration.maximumRequestsInFlight = self.maxRequestsInFlight
        if let maxConnections = self.maxConnections {
            guard maxConnections > 0 else { throw ValidationError("--max-connections must be positive.") }
            configuration.maximumConnections = maxConnections
        }
        if let regions = self.regions {
            let parsed = regions.split(separator: ",").map { Region(rawValue: String($0)) }
            guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--regions takes region names such as us-east-1,eu-west-1.")
            }
            configuration.regions = parsed.compactMap { $0 }
        }
        guard let level = Logger.Level(rawValue: self.logLevel) else {
            throw ValidationError("--log-level takes trace, debug, info, notice, warning, error or critical.")
        }
        configuration.logLevel = level
        LoggingSystem.bootstrap(
            { label, provider in KeywayLogHandler(label: label, metadataProvider: provider) },
            metadataProvider: nil
        )
        configuration.metadataPort = self.metadataPort == 0 ? nil : self.metadataPort
        configuration.metadataTokensRequired = self.metadataTokensRequired
        if self.dev {
            guard let account = AccountID(rawValue: self.devAccount) else {
                throw ValidationError("--dev-account takes a 12-digit account ID.")
            }
            configuration.devAccount = account
        }
        let app: any ApplicationProtocol
        do {
            app = try await self.build(configuration: configuration)
        } catch let error as KeywayStorageError {
            // One clear line for the operator, and nothing started (a missing or wrong master key, an unopenable store).
            FileHandle.standardError.write(Data("keyway: cannot start: \(error.reason)\n".utf8))
            throw ExitCode(1)
        }
        try await app.runService()
    }

    private func build(configuration: ServerConfiguration) async throws -> some ApplicationProtocol {
        let host = self.host
        let dev = self.dev
        return try await buildApplication(
            configuration: configuration,
            onStartupCredentials: { credentials in
                var text = """
                    Created account \(credentials.account) with root credentials (shown only this once):
                      aws_access_key_id     = \(credentials.accessKeyID)
                      aws_secret_access_key = \(credentials.secretAccessKey)

                    """
                if let file = credentials.file {
                    text +=
                        "Saved to \(file.path) (mode 0600); use it with AWS_SHARED_CREDENTIALS_FILE=\(file.path)\n\n"
                } else if let reason = credentials.fileError {
                    text += "NOT saved (\(reason)): copy them now, they cannot be shown again.\n\n"
                }
                FileHandle.standardOutput.write(Data(text.utf8))
            },
            onListening: { port in
                let endpoint = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
                var banner = """
                    Keyway is listening on \(endpoint)
                    Try: aws --endpoint-url \(endpoint) ec2 describe-key-pairs

                    """
                if dev {
                    banner += """
                        *** DEV MODE: signatures from unknown access keys are NOT verified; any such request acts as
                        *** the root of the dev account. POST \(endpoint)/_keyway/reset wipes all state. Never expose this.

                        """
                }
                FileHandle.standardOutput.write(Data(banner.utf8))
                // Start generating RSA keys for CreateKeyPair now that the listener is up, not at the first request.
                _ = RSAKeyPool.shared
            }
        )
    }
}
