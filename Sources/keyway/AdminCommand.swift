import ArgumentParser
import Foundation
import KeywayCore
import KeywayServer

/// `keyway admin …`: offline administration of a data folder.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Create accounts and root access keys in a data folder, offline.",
        subcommands: [
            CreateAccount.self, CreateRootKey.self, ListAccounts.self, ReplaceAuthorizedKeys.self, AuditLog.self,
        ]
    )

    struct DataDirectory: ParsableArguments {
        @Option(help: "The folder that holds the embedded SQLite database.")
        var dataDir = "keyway-data"

        /// The folder; also makes every file created from here on private to its owner, as the server does.
        var url: URL {
            umask(0o077)
            return URL(fileURLWithPath: self.dataDir, isDirectory: true)
        }
    }

    static func print(_ credentials: StartupCredentials) {
        let text = """
            [account-\(credentials.account)]
            aws_access_key_id = \(credentials.accessKeyID)
            aws_secret_access_key = \(credentials.secretAccessKey)

            """
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    struct CreateAccount: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an account and print its root credentials, in credentials-file form, once."
        )
        @OptionGroup var data: DataDirectory
        @Option(help: "The 12-digit account ID; random when not given.")
        var account: String?

        func run() async throws {
            let id = try self.account.map { text in
                guard let id = AccountID(rawValue: text) else { throw ValidationError("--account takes 12 digits.") }
                return id
            }
            AdminCommand.print(try await KeywayAdmin.createAccount(dataDirectory: self.data.url, id: id))
        }
    }

    struct CreateRootKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a root access key to an account and print it once."
        )
        @OptionGroup var data: DataDirectory
        @Option(help: "The 12-digit account ID.")
        var account: String

        func run() async throws {
            guard let id = AccountID(rawValue: self.account) else {
                throw ValidationError("--account takes 12 digits.")
            }
            AdminCommand.print(try await KeywayAdmin.createRootKey(dataDirectory: self.data.url, account: id))
        }
    }

    struct ListAccounts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the accounts in the data folder.")
        @OptionGroup var data: DataDirectory

        func run() async throws {
            for id in try await KeywayAdmin.accounts(dataDirectory: self.data.url) {
                FileHandle.standardOutput.write(Data("\(id)\n".utf8))
            }
        }
    }

    struct ReplaceAuthorizedKeys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replace-authorized-keys",
            abstract: "Lost-key recovery: let a new public key into an instance instead of its launch key (audited)."
        )
        @OptionGroup var data: DataDirectory
        @Option(help: "The instance ID.")
        var instanceId: String
        @Option(help: "A public key file (OpenSSH, RFC 4716 or PEM), or '-' for standard input.")
        var publicKey: String

        func run() async throws {
            let text: String
            if self.publicKey == "-" {
                text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            } else {
                text = try String(contentsOfFile: self.publicKey, encoding: .utf8)
            }
            let environment = ProcessInfo.processInfo.environment
            let who =
                environment["SUDO_USER"] ?? environment["USER"] ?? getpwuid(getuid()).map {
                    String(cString: $0.pointee.pw_name)
                } ?? "uid \(getuid())"
            let fingerprint = try await KeywayAdmin.replaceAuthorizedKeys(
                dataDirectory: self.data.url,
                instanceID: self.instanceId,
                publicKey: text,
                operatorName: who
            )
            FileHandle.standardOutput.write(
                Data(
                    "Replaced the authorized keys of \(self.instanceId) with \(fingerprint); recorded in the audit log.\n"
                        .utf8
                )
            )
        }
    }

    struct AuditLog: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit-log",
            abstract: "Print the audit log of administrative operations."
        )
        @OptionGroup var data: DataDirectory

        func run() async throws {
            for line in try KeywayAdmin.auditLog(dataDirectory: self.data.url) {
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
        }
    }
}
