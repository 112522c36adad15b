/// The key algorithms that EC2 key pairs use.
public enum KeyType: String, Hashable, Sendable, CaseIterable {
    /// RSA with public exponent 65537, as `ssh-rsa`.
    case rsa
    /// Ed25519 (RFC 8032), as `ssh-ed25519`.
    case ed25519

    /// The SSH algorithm name (RFC 4253 §6.6, RFC 8709).
    public var sshName: String {
        switch self {
        case .rsa: "ssh-rsa"
        case .ed25519: "ssh-ed25519"
        }
    }

    /// Looks up a supported type by its SSH name, or explains why the name is not supported.
    static func fromSSHName(_ name: String) throws -> KeyType {
        switch name {
        case "ssh-rsa": return .rsa
        case "ssh-ed25519": return .ed25519
        default: throw KeyFormatsError.unsupportedKeyType(Self.unsupportedReason(sshName: name))
        }
    }

    /// Whether a token names an SSH public key algorithm, supported or not.
    static func isSSHKeyName(_ token: Substring) -> Bool {
        token == "ssh-rsa" || token == "ssh-ed25519" || token == "ssh-dss" || token.hasPrefix("ecdsa-sha2-")
            || token.hasPrefix("sk-") || token.hasPrefix("ssh-ed448") || token.hasSuffix("-cert-v01@openssh.com")
            || token.hasPrefix("x509v3-")
    }

    private static func unsupportedReason(sshName name: String) -> String {
        if name == "ssh-dss" {
            return "DSA keys (ssh-dss) are not supported; use RSA or Ed25519."
        } else if name.hasPrefix("ecdsa-sha2-") {
            return "ECDSA keys (\(name.quotedForMessage())) are not supported; use RSA or Ed25519."
        } else if name.hasPrefix("sk-") {
            return "Security-key types (\(name.quotedForMessage())) are not supported; use RSA or Ed25519."
        } else if name.hasSuffix("-cert-v01@openssh.com") {
            return "OpenSSH certificates (\(name.quotedForMessage())) are not supported; give the plain public key."
        } else {
            return "The key type '\(name.quotedForMessage())' is not supported; use RSA or Ed25519."
        }
    }
}
