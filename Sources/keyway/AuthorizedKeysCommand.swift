import ArgumentParser
import Foundation
import KeywayServer

/// `keyway authorized-keys`: the command an OpenSSH server runs as its `AuthorizedKeysCommand`.
///
/// It asks the Keyway server which keys may log in as the user and prints them, one a line. It fails closed: when
/// Keyway cannot be reached or answers anything but 200, it prints nothing and exits 1, so sshd lets no key in.
struct AuthorizedKeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authorized-keys",
        abstract: "Print the public keys allowed into an instance (for sshd's AuthorizedKeysCommand).",
        discussion:
            "sshd_config: AuthorizedKeysCommand /path/keyway authorized-keys --endpoint http://127.0.0.1:4566 --instance-id i-… %u"
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
        guard
            let keys = await AuthorizedKeysClient.fetch(
                endpoint: self.endpoint,
                instanceID: self.instanceId,
                user: self.user,
                timeout: .seconds(self.timeout)
            )
        else { throw ExitCode(1) }
        FileHandle.standardOutput.write(Data(keys.map { $0 + "\n" }.joined().utf8))
    }
}
