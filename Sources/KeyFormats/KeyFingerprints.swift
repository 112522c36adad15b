import Crypto

/// Every fingerprint of one key, by the rules of ``FingerprintRule``.
public struct KeyFingerprints: Hashable, Sendable {
    /// EC2's fingerprint had it created the key; nil for an RSA key known only by its public half.
    public let awsCreated: String?
    /// EC2's fingerprint of the key imported with ImportKeyPair.
    public let awsImported: String
    /// OpenSSH's `SHA256:…` fingerprint.
    public let sha256: String
    /// OpenSSH's `MD5:…` fingerprint.
    public let md5: String

    /// The fingerprint by one rule, or nil where it cannot be computed.
    public subscript(rule: FingerprintRule) -> String? {
        switch rule {
        case .awsCreated: self.awsCreated
        case .awsImported: self.awsImported
        case .openSSHSHA256: self.sha256
        case .openSSHMD5: self.md5
        }
    }

    init(publicKey: PublicKey, privateKey: PrivateKey?) {
        let blob = publicKey.sshWireRepresentation
        let sha256 = Array(SHA256.hash(data: blob))
        let sha256Base64 = Base64.encode(sha256)
        self.sha256 = "SHA256:" + sha256Base64.droppingTrailing("=")
        self.md5 = "MD5:" + Array(Insecure.MD5.hash(data: blob)).colonHex
        switch publicKey.keyType {
        case .ed25519:
            self.awsImported = sha256Base64
            self.awsCreated = sha256Base64
        case .rsa:
            self.awsImported = Array(Insecure.MD5.hash(data: publicKey.derRepresentation)).colonHex
            self.awsCreated = privateKey.map { Array(Insecure.SHA1.hash(data: $0.pkcs8DERRepresentation)).colonHex }
        }
    }

    /// The raw digest bytes of the fingerprint by one rule, or nil where it cannot be computed.
    static func digest(_ rule: FingerprintRule, publicKey: PublicKey, privateKey: PrivateKey?) -> [UInt8]? {
        switch (rule, publicKey.keyType) {
        case (.openSSHSHA256, _), (.awsImported, .ed25519), (.awsCreated, .ed25519):
            return Array(SHA256.hash(data: publicKey.sshWireRepresentation))
        case (.openSSHMD5, _):
            return Array(Insecure.MD5.hash(data: publicKey.sshWireRepresentation))
        case (.awsImported, .rsa):
            return Array(Insecure.MD5.hash(data: publicKey.derRepresentation))
        case (.awsCreated, .rsa):
            return privateKey.map { Array(Insecure.SHA1.hash(data: $0.pkcs8DERRepresentation)) }
        }
    }
}

extension PublicKey {
    /// The fingerprints computable from the public key alone; ``KeyFingerprints/awsCreated`` is nil for RSA.
    public var fingerprints: KeyFingerprints { KeyFingerprints(publicKey: self, privateKey: nil) }

    /// EC2's fingerprint of this key when imported with ImportKeyPair.
    public var awsImportedFingerprint: String {
        let digest = KeyFingerprints.digest(.awsImported, publicKey: self, privateKey: nil)!
        return self.keyType == .rsa ? digest.colonHex : Base64.encode(digest)
    }
}

extension PrivateKey {
    /// Every fingerprint of the key, including EC2's fingerprint for a key it created.
    public var fingerprints: KeyFingerprints { KeyFingerprints(publicKey: self.publicKey, privateKey: self) }

    /// EC2's fingerprint of this key as a key pair that CreateKeyPair made; computes that one digest only.
    public var awsCreatedFingerprint: String {
        let digest = KeyFingerprints.digest(.awsCreated, publicKey: self.publicKey, privateKey: self)!
        return self.keyType == .rsa ? digest.colonHex : Base64.encode(digest)
    }
}

extension Collection<UInt8> {
    /// Lower-case hexadecimal pairs joined by colons, as `openssl md5 -c` prints them.
    var colonHex: String { Hex.encode(self, separator: ":") }
}

extension String {
    func droppingTrailing(_ set: Character) -> String {
        String(self[...].trimmingSuffix { $0 == set })
    }
}
