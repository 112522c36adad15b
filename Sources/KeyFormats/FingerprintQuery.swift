/// A fingerprint as a user pastes it, recognised by its form, to look for the key it belongs to.
///
/// Accepted forms: colon hex (any case, with or without colons) of 16 or 20 bytes, as EC2 shows RSA fingerprints;
/// padded or unpadded base64 of 32 bytes, as EC2 shows Ed25519 fingerprints; and OpenSSH's `SHA256:` and `MD5:`
/// forms.
public struct FingerprintQuery: Hashable, Sendable {
    /// The digest bytes the fingerprint encodes.
    public let digest: [UInt8]
    /// The rules that can produce a fingerprint of this form.
    public let candidateRules: [FingerprintRule]
    /// What the form says about where the fingerprint came from, in a sentence or two.
    public let explanation: String

    /// Recognises a fingerprint, or throws ``KeyFormatsError/Code/unrecognizedFormat`` saying why it is none.
    public init(_ text: String) throws {
        let trimmed = text.trimmingTrailingWhitespace().drop(while: { $0.isWhitespace })
        if trimmed.hasPrefix("SHA256:") {
            guard let digest = Self.decodeBase64Digest(trimmed.dropFirst(7)), digest.count == 32 else {
                throw KeyFormatsError.unrecognizedFormat("The 'SHA256:' fingerprint is not 43 base64 characters.")
            }
            self.init(
                digest: digest,
                rules: [.openSSHSHA256, .awsImported, .awsCreated],
                explanation: Self.sha256Explanation
            )
        } else if trimmed.hasPrefix("MD5:") {
            guard let digest = Self.decodeHexDigest(trimmed.dropFirst(4)), digest.count == 16 else {
                throw KeyFormatsError.unrecognizedFormat("The 'MD5:' fingerprint is not 16 bytes of colon hex.")
            }
            self.init(
                digest: digest,
                rules: [.openSSHMD5],
                explanation:
                    "It is OpenSSH's MD5 form (ssh-keygen -E md5): the MD5 of the SSH public key blob. EC2 never shows this form."
            )
        } else if let digest = Self.decodeHexDigest(trimmed), digest.count == 20 {
            self.init(
                digest: digest,
                rules: [.awsCreated],
                explanation:
                    "It is 20 bytes of hex, a SHA-1: EC2 shows this for RSA key pairs that it created. It is the SHA-1 of the private key in DER PKCS#8, so only a private key file can match it; a public key cannot."
            )
        } else if let digest = Self.decodeHexDigest(trimmed), digest.count == 16 {
            self.init(
                digest: digest,
                rules: [.awsImported, .openSSHMD5],
                explanation:
                    "It is 16 bytes of hex, an MD5: EC2 shows this for imported RSA key pairs (MD5 of the DER public key), and OpenSSH's MD5 form hashes the SSH blob instead. A key that EC2 created shows a 20-byte SHA-1 instead, even after its public half is imported elsewhere."
            )
        } else if let digest = Self.decodeBase64Digest(trimmed), digest.count == 32 {
            self.init(
                digest: digest,
                rules: [.awsImported, .awsCreated, .openSSHSHA256],
                explanation: Self.sha256Explanation
            )
        } else {
            let shown = trimmed.count <= 80 ? String(trimmed) : String(trimmed.prefix(80)) + "…"
            throw KeyFormatsError.unrecognizedFormat(
                "'\(shown)' (\(trimmed.count) characters) is not a fingerprint: expected colon hex of 16 bytes (47 characters, imported RSA) or 20 bytes (59 characters, EC2-created RSA), base64 of 32 bytes (44 characters, Ed25519), or OpenSSH's 'SHA256:…' or 'MD5:…'."
            )
        }
    }

    private init(digest: [UInt8], rules: [FingerprintRule], explanation: String) {
        self.digest = digest
        self.candidateRules = rules
        self.explanation = explanation
    }

    private static let sha256Explanation =
        "It is 32 bytes of base64, a SHA-256 of the SSH public key blob: EC2 shows it (padded with '=') for Ed25519 key pairs, and OpenSSH shows it (as 'SHA256:…') for every key."

    /// The rules under which a key has this fingerprint; empty when it does not.
    public func matchingRules(publicKey: PublicKey, privateKey: PrivateKey?) -> [FingerprintRule] {
        self.candidateRules.filter { rule in
            KeyFingerprints.digest(rule, publicKey: publicKey, privateKey: privateKey) == self.digest
        }
    }

    private static func decodeHexDigest(_ text: Substring) -> [UInt8]? {
        let hex = text.filter { $0 != ":" }
        guard hex.count % 2 == 0, hex.count > 0 else { return nil }
        if text.contains(":") {
            // With colons, every group must be two digits.
            guard text.split(separator: ":", omittingEmptySubsequences: false).allSatisfy({ $0.count == 2 }) else {
                return nil
            }
        }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }

    private static func decodeBase64Digest(_ text: Substring) -> [UInt8]? {
        // Counted in bytes, as base64 is: a Character count is off for other text (a trailing U+0600 joins the
        // first '=' appended after it into one Character), and the loop that appended one '=' at a time recounted
        // the whole text each time.
        var padded = String(text)
        let remainder = padded.utf8.count % 4
        if remainder != 0 { padded += String(repeating: "=", count: 4 - remainder) }
        return Base64.decode(padded)
    }
}
