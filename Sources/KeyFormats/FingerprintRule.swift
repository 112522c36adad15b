/// The ways a key's fingerprint is computed, by AWS and by OpenSSH.
public enum FingerprintRule: String, Hashable, Sendable, CaseIterable {
    /// EC2's fingerprint of a key pair it created: for RSA the SHA-1 of the DER PKCS#8 private key, in colon hex;
    /// for Ed25519 the same as ``awsImported``.
    case awsCreated
    /// EC2's fingerprint of an imported key pair: for RSA the MD5 of the DER SubjectPublicKeyInfo, in colon hex;
    /// for Ed25519 the SHA-256 of the SSH blob in padded base64.
    case awsImported
    /// OpenSSH's default: `SHA256:` and the unpadded base64 SHA-256 of the SSH blob (`ssh-keygen -l`).
    case openSSHSHA256
    /// OpenSSH's legacy form: `MD5:` and the colon-hex MD5 of the SSH blob (`ssh-keygen -l -E md5`).
    case openSSHMD5

    /// A label for reports, such as "AWS-created".
    public var label: String {
        switch self {
        case .awsCreated: "AWS-created"
        case .awsImported: "AWS-imported"
        case .openSSHSHA256: "OpenSSH SHA256"
        case .openSSHMD5: "OpenSSH MD5"
        }
    }
}
