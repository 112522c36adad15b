import KeyFormats

/// The answer to "which of these files holds the key with this fingerprint?", as `keyway key match` prints it.
public struct MatchReport: Sendable {
    /// One file's outcome.
    public struct Entry: Sendable {
        public let path: String
        /// The key read from the file, or the error that stopped it.
        public let result: Result<KeyMaterial, KeyToolError>
        /// The rules under which the file's key has the fingerprint; empty for no match.
        public let rules: [FingerprintRule]
    }

    public let query: FingerprintQuery
    public let fingerprint: String
    public let entries: [Entry]

    /// Whether any file holds the key.
    public var matched: Bool { self.entries.contains { !$0.rules.isEmpty } }
    /// The errors of files that could not be read.
    public var errors: [KeyToolError] {
        self.entries.compactMap { if case .failure(let error) = $0.result { error } else { nil } }
    }

    /// Reads each file and checks it against the fingerprint.
    public init(fingerprint: String, paths: [String]) throws(KeyToolError) {
        do {
            self.query = try FingerprintQuery(fingerprint)
        } catch let error as KeyFormatsError {
            throw .badInput("fingerprint", error.message)
        } catch {
            throw .badInput("fingerprint", "The fingerprint is not recognised.")
        }
        self.fingerprint = fingerprint
        var entries: [Entry] = []
        for path in paths {
            let result = Result { () throws(KeyToolError) in try KeyFile.read(path) }
            let rules: [FingerprintRule]
            if case .success(let material) = result {
                rules = self.query.matchingRules(publicKey: material.publicKey, privateKey: material.privateKey)
            } else {
                rules = []
            }
            entries.append(Entry(path: path, result: result, rules: rules))
        }
        self.entries = entries
    }

    /// The report for standard output: matches first, and on no match, why.
    public var text: String {
        var lines: [String] = []
        for entry in self.entries {
            guard case .success(let material) = entry.result else { continue }
            if !entry.rules.isEmpty {
                let rules = entry.rules.map(\.label).joined(separator: ", ")
                lines.append("\(entry.path): match (\(rules); \(Self.describe(material)))")
                if entry.rules == [.openSSHMD5], material.publicKey.keyType == .rsa {
                    lines.append(
                        "  note: EC2 shows imported RSA keys as the MD5 of the DER public key, not this OpenSSH MD5."
                    )
                }
            }
        }
        if self.matched {
            return lines.joined(separator: "\n") + "\n"
        }
        lines.append("No file holds the key with fingerprint \(self.fingerprint).")
        lines.append(self.query.explanation)
        for entry in self.entries {
            guard case .success(let material) = entry.result else { continue }
            let prints = material.fingerprints
            lines.append("\(entry.path): \(Self.describe(material))")
            lines.append("  aws-created:  \(prints.awsCreated ?? "n/a (public key only)")")
            lines.append("  aws-imported: \(prints.awsImported)")
            lines.append("  sha256:       \(prints.sha256)")
            lines.append("  md5:          \(prints.md5)")
        }
        if self.query.candidateRules == [.awsCreated],
            self.entries.contains(where: { (try? $0.result.get())?.privateKey == nil && (try? $0.result.get()) != nil })
        {
            lines.append(
                "Public key files cannot match an EC2-created RSA fingerprint; try the private key (.pem) files."
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func describe(_ material: KeyMaterial) -> String {
        "\(material.format.rawValue), \(material.publicKey.keyType.rawValue) \(material.publicKey.bitCount)"
    }
}
