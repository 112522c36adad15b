import KeyFormats

/// What `keyway key generate` is asked for.
public struct KeyGenerationRequest: Sendable {
    public var type: KeyType
    /// The RSA modulus size: 2048, 3072 or 4096, or 1024 with ``allowInsecureSize``.
    public var bits: Int?
    public var format: KeyOutputFormat
    public var comment: String?
    /// Permits 1024-bit RSA, which is too weak for real use.
    public var allowInsecureSize: Bool

    public init(type: KeyType, bits: Int?, format: KeyOutputFormat, comment: String?, allowInsecureSize: Bool) {
        self.type = type
        self.bits = bits
        self.format = format
        self.comment = comment
        self.allowInsecureSize = allowInsecureSize
    }
}

/// A freshly generated key: the private key text to hand to the caller once, and the public line to show.
public struct GeneratedKey: Sendable {
    public let privateKeyText: String
    public let publicLine: String
}

extension KeyGenerationRequest {
    /// Generates the key and renders it.
    public func generate() throws(KeyToolError) -> GeneratedKey {
        guard self.format.isPrivate else {
            throw .badInput(
                "--format",
                "'\(self.format.rawValue)' is not a private key format; use pem, openssh, pkcs8, ppk or ppk3."
            )
        }
        let key: PrivateKey
        do {
            switch (self.type, self.bits) {
            case (.ed25519, nil), (.ed25519, 256):
                key = try PrivateKey(generating: .ed25519)
            case (.ed25519, let bits?):
                throw KeyToolError.badInput("--bits", "Ed25519 keys have a fixed size; \(bits) bits is not possible.")
            case (.rsa, 1024) where self.allowInsecureSize:
                key = try PrivateKey(unsafeGeneratingRSA1024: ())
            case (.rsa, 1024):
                throw KeyToolError.badInput(
                    "--bits",
                    "1024-bit RSA is too weak; add --allow-insecure-size if an old system needs it."
                )
            case (.rsa, let bits):
                guard let size = PrivateKey.RSAKeySize(safeBitCount: bits ?? 2048) else {
                    throw KeyToolError.badInput("--bits", "RSA keys are 2048, 3072 or 4096 bits, not \(bits ?? 0).")
                }
                key = try PrivateKey(generating: .rsa, rsaKeySize: size)
            }
        } catch let error as KeyToolError {
            throw error
        } catch {
            throw .unsupported("generate", "The key could not be generated.")
        }
        let material = KeyMaterial(privateKey: key, comment: self.comment, format: .openSSHPrivateKey)
        return GeneratedKey(
            privateKeyText: try material.rendered(as: self.format, subject: "generate"),
            publicLine: key.publicKey.openSSHRepresentation(comment: self.comment)
        )
    }
}
