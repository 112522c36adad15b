import ArgumentParser

/// The `keyway` command: configuration only; each subcommand calls one library function.
@main
struct Keyway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A key-pair and credential service that speaks the AWS EC2 and IAM APIs.",
        subcommands: [ServeCommand.self, KeyCommand.self, AdminCommand.self, AuthorizedKeysCommand.self]
    )
}
