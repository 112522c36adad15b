import KeyFormats

/// The encodings the key tools write.
public enum KeyOutputFormat: String, CaseIterable, Sendable {
    /// What EC2's `KeyFormat=pem` gives: PKCS#1 for RSA, OpenSSH for Ed25519.
    case pem
    /// PKCS#8 `BEGIN PRIVATE KEY`.
    case pkcs8
    /// OpenSSH `openssh-key-v1`.
    case openssh
    /// PuTTY `.ppk` version 2.
    case ppk
    /// PuTTY `.ppk` version 3.
    case ppk3
    /// The OpenSSH public line.
    case `public`
    /// The RFC 4716 public key block.
    case rfc4716
    /// The PEM SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`).
    case spki

    /// Whether the format holds a private key.
    public var isPrivate: Bool {
        switch self {
        case .pem, .pkcs8, .openssh, .ppk, .ppk3: true
        case .public, .rfc4716, .spki: false
        }
    }
}

extension KeyMaterial {
    /// The key in `format`, keeping its comment where the format has one.
    ///
    /// Throws when a private format is asked of a public key.
    public func rendered(as format: KeyOutputFormat, subject: String) throws(KeyToolError) -> String {
        let comment = self.comment ?? ""
        switch format {
        case .public:
            return self.publicKey.openSSHRepresentation(comment: self.comment) + "\n"
        case .rfc4716:
            return self.publicKey.rfc4716Representation(comment: self.comment)
        case .spki:
            return self.publicKey.pemRepresentation
        case .pem, .pkcs8, .openssh, .ppk, .ppk3:
            guard let privateKey = self.privateKey else {
                throw .unsupported(
                    subject,
                    "The input is a public key (\(self.format.rawValue)); --to \(format.rawValue) needs a private key."
                )
            }
            switch format {
            case .pem: return privateKey.pemRepresentation(comment: comment)
            case .pkcs8: return privateKey.pkcs8PEMRepresentation
            case .openssh: return privateKey.openSSHRepresentation(comment: comment)
            case .ppk: return privateKey.ppkRepresentation(comment: comment, version: .v2)
            default: return privateKey.ppkRepresentation(comment: comment, version: .v3)
            }
        }
    }
}
