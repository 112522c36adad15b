import ArgumentParser
import Foundation
import KeyFormats
import KeyTools

/// `keyway key …`: offline tools that read, convert, fingerprint and match key files.
struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Offline tools for key files: generate, public, fingerprint, convert, match.",
        discussion: """
            Every command reads OpenSSH, PEM (PKCS#1, PKCS#8, SubjectPublicKeyInfo), RFC 4716, base64 DER and \
            PuTTY (.ppk v2 and v3) keys, from a file or from standard input ('-'). Bad input exits with status 2 \
            and one line 'keyway: FILE: what is wrong'.
            """,
        subcommands: [Generate.self, Public.self, Fingerprint.self, Convert.self, Match.self]
    )
}

/// Runs a tool body, turning a ``KeyToolError`` into its one-line message and exit status 2.
func runTool(_ body: () throws(KeyToolError) -> Void) throws {
    do {
        try body()
    } catch {
        FileHandle.standardError.write(Data((error.description + "\n").utf8))
        throw ExitCode(2)
    }
}

func writeStandardOutput(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

extension KeyType: ExpressibleByArgument {}
extension KeyOutputFormat: ExpressibleByArgument {}

/// The formats `generate` writes: the private ones of ``KeyOutputFormat``, so `--help` lists only those.
enum PrivateKeyFormat: String, CaseIterable, ExpressibleByArgument {
    case pem, openssh, pkcs8, ppk, ppk3

    var outputFormat: KeyOutputFormat { KeyOutputFormat(rawValue: self.rawValue)! }
}

extension KeyCommand {
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a key pair: write the private key, print the public OpenSSH line."
        )

        @Option(help: "The key type: rsa or ed25519.")
        var type: KeyType = .rsa

        @Option(help: "RSA modulus size: 2048 (default), 3072 or 4096.")
        var bits: Int?

        @Option(
            help: "Private key format: pem (PKCS#1 for RSA, OpenSSH for Ed25519, as EC2), openssh, pkcs8, ppk, ppk3."
        )
        var format: PrivateKeyFormat = .pem

        @Option(help: "A comment stored with the key and shown on its public line.")
        var comment: String?

        @Option(name: .shortAndLong, help: "Write the private key to this file (mode 0600) instead of standard output.")
        var output: String?

        @Flag(help: "Permit 1024-bit RSA, which is too weak for real use.")
        var allowInsecureSize = false

        func run() throws {
            try runTool { () throws(KeyToolError) in
                let request = KeyGenerationRequest(
                    type: self.type,
                    bits: self.bits,
                    format: self.format.outputFormat,
                    comment: self.comment,
                    allowInsecureSize: self.allowInsecureSize
                )
                let key = try request.generate()
                if let output = self.output {
                    try KeyFile.writePrivate(key.privateKeyText, to: output)
                    writeStandardOutput(key.publicLine + "\n")
                } else {
                    writeStandardOutput(key.privateKeyText)
                    FileHandle.standardError.write(Data((key.publicLine + "\n").utf8))
                }
            }
        }
    }

    struct Public: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the OpenSSH public line of a key, as 'ssh-keygen -y -f' does."
        )

        @Argument(help: "A key file, or '-' for standard input.")
        var file: String

        func run() throws {
            try runTool { () throws(KeyToolError) in
                writeStandardOutput(try KeyFile.read(self.file).rendered(as: .public, subject: self.file))
            }
        }
    }

    struct Fingerprint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every fingerprint of a key: EC2's (created and imported) and OpenSSH's (SHA256 and MD5)."
        )

        @Argument(help: "A key file, or '-' for standard input.")
        var file: String

        @Flag(help: "Print one JSON object: type, bits, awsCreated, awsImported, sha256, md5.")
        var json = false

        func run() throws {
            try runTool { () throws(KeyToolError) in
                let report = FingerprintReport(material: try KeyFile.read(self.file))
                writeStandardOutput(self.json ? report.json : report.text)
            }
        }
    }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Convert a key to another format.")

        @Argument(help: "A key file, or '-' for standard input.")
        var file: String

        @Option(help: "pem, pkcs8, openssh, ppk, ppk3 (private); public, rfc4716, spki (public).")
        var to: KeyOutputFormat

        @Option(name: .shortAndLong, help: "Write to this file (mode 0600) instead of standard output.")
        var output: String?

        func run() throws {
            try runTool { () throws(KeyToolError) in
                let text = try KeyFile.read(self.file).rendered(as: self.to, subject: self.file)
                if let output = self.output {
                    try KeyFile.writePrivate(text, to: output)
                } else {
                    writeStandardOutput(text)
                }
            }
        }
    }

    struct Match: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say which files hold the key with a fingerprint, under which rule, and if none does, why.",
            discussion: "Exit status: 0 when a file matches, 1 when none does, 2 when the input is bad."
        )

        @Argument(help: "A fingerprint as EC2 or ssh-keygen shows it.")
        var fingerprint: String

        @Argument(help: "Key files to check.")
        var files: [String]

        func validate() throws {
            guard !self.files.isEmpty else { throw ValidationError("Give at least one key file.") }
        }

        func run() throws {
            var matched = false
            var hadErrors = false
            try runTool { () throws(KeyToolError) in
                let report = try MatchReport(fingerprint: self.fingerprint, paths: self.files)
                for error in report.errors {
                    FileHandle.standardError.write(Data((error.description + "\n").utf8))
                }
                writeStandardOutput(report.text)
                matched = report.matched
                hadErrors = !report.errors.isEmpty
            }
            if !matched { throw ExitCode(hadErrors ? 2 : 1) }
        }
    }
}
