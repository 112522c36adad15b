import Crypto
import Foundation
import SwiftASN1
import _CryptoExtras

/// A private key of one of the ``KeyType``s, with every encoding EC2 key pairs come in.
///
/// An RSA key is held as its PKCS#1 numbers, so that every export (PKCS#1, PKCS#8, OpenSSH, PuTTY) is written
/// from the same values; an Ed25519 key is held by swift-crypto.
public struct PrivateKey: Sendable {
    enum Backing: Sendable {
        case rsa(RSAPrivateKeyNumbers)
        case ed25519(Curve25519.Signing.PrivateKey)
    }

    let backing: Backing
    /// The matching public key, derived once when the key is made, so that reading it can never fail.
    public let publicKey: PublicKey

    /// The RSA key sizes that ``init(generating:rsaKeySize:)`` makes.
    public struct RSAKeySize: Hashable, Sendable {
        /// The modulus size in bits.
        public let bitCount: Int
        private init(bitCount: Int) { self.bitCount = bitCount }

        /// 2048 bits, EC2's size for created RSA key pairs.
        public static let bits2048 = RSAKeySize(bitCount: 2048)
        public static let bits3072 = RSAKeySize(bitCount: 3072)
        public static let bits4096 = RSAKeySize(bitCount: 4096)

        /// The safe sizes, or nil for any other bit count.
        public init?(safeBitCount: Int) {
            guard [2048, 3072, 4096].contains(safeBitCount) else { return nil }
            self.bitCount = safeBitCount
        }
    }

    /// Generates a new key: RSA with exponent 65537 through BoringSSL, or Ed25519.
    public init(generating type: KeyType, rsaKeySize: RSAKeySize = .bits2048) throws {
        switch type {
        case .rsa:
            let key = try _RSA.Signing.PrivateKey(keySize: .init(bitCount: rsaKeySize.bitCount))
            try self.init(rsa: try RSAPrivateKeyNumbers(derEncoded: Array(key.derRepresentation)))
        case .ed25519:
            try self.init(ed25519: Curve25519.Signing.PrivateKey())
        }
    }

    /// Generates a 1024-bit RSA key, which is too weak for real use; for testing old tools only.
    public init(unsafeGeneratingRSA1024: ()) throws {
        let key = try _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: 1024))
        try self.init(rsa: try RSAPrivateKeyNumbers(derEncoded: Array(key.derRepresentation)))
    }

    /// Wraps numbers already known to be consistent, deriving the public key.
    private init(rsa numbers: RSAPrivateKeyNumbers) throws {
        self.publicKey = try PublicKey(rsaModulus: numbers.modulus, publicExponent: numbers.publicExponent)
        self.backing = .rsa(numbers)
    }

    private init(ed25519 key: Curve25519.Signing.PrivateKey) throws {
        self.publicKey = try PublicKey(ed25519RawRepresentation: key.publicKey.rawRepresentation)
        self.backing = .ed25519(key)
    }

    /// Wraps RSA numbers after checking their size and their consistency.
    init(rsaNumbers numbers: RSAPrivateKeyNumbers) throws {
        guard PublicKey.rsaModulusBits.contains(numbers.bitCount) else {
            throw KeyFormatsError.invalidKeySize(
                "The RSA key has \(numbers.bitCount) bits; RSA keys must have 1024 to 16384 bits."
            )
        }
        guard numbers.bitCount <= 8192 else {
            throw KeyFormatsError.invalidKeySize(
                "The RSA private key has \(numbers.bitCount) bits; private keys above 8192 bits are not supported."
            )
        }
        // Every number of a real key is below the modulus; a larger one would only make the check below slow.
        let values = [
            numbers.publicExponent, numbers.privateExponent, numbers.prime1, numbers.prime2, numbers.exponent1,
            numbers.exponent2, numbers.coefficient,
        ]
        guard values.allSatisfy({ $0.count <= numbers.modulus.count }) else {
            throw KeyFormatsError.invalidKey("The RSA private key holds a number larger than its modulus.")
        }
        try numbers.validate()
        try self.init(rsa: numbers)
    }

    /// Creates an Ed25519 key from its 32-byte seed (RFC 8032 §5.1.5).
    public init(ed25519Seed seed: some Collection<UInt8>) throws {
        guard seed.count == 32 else {
            throw KeyFormatsError.invalidKeySize("The Ed25519 private key has \(seed.count) bytes; it must have 32.")
        }
        try self.init(ed25519: try Curve25519.Signing.PrivateKey(rawRepresentation: Array(seed)))
    }

    /// The key's algorithm.
    public var keyType: KeyType {
        switch self.backing {
        case .rsa: .rsa
        case .ed25519: .ed25519
        }
    }

    /// The key size in bits: the modulus size for RSA, 256 for Ed25519.
    public var bitCount: Int { self.publicKey.bitCount }

    /// The DER PKCS#8 `PrivateKeyInfo` (RFC 5208), version 0; for RSA with explicit NULL parameters.
    ///
    /// AWS's fingerprint of a created RSA key is the SHA-1 of exactly these bytes.
    public var pkcs8DERRepresentation: [UInt8] {
        let info: PrivateKeyInfo
        switch self.backing {
        case .rsa(let numbers):
            info = PrivateKeyInfo(algorithm: .rsaEncryption, privateKey: numbers.derRepresentation[...])
        case .ed25519(let key):
            var serializer = DER.Serializer()
            try! serializer.serialize(ASN1OctetString(contentBytes: Array(key.rawRepresentation)[...]))
            info = PrivateKeyInfo(algorithm: .ed25519, privateKey: serializer.serializedBytes[...])
        }
        var serializer = DER.Serializer()
        try! serializer.serialize(info)
        return serializer.serializedBytes
    }

    /// The `-----BEGIN PRIVATE KEY-----` PEM form of ``pkcs8DERRepresentation``.
    public var pkcs8PEMRepresentation: String {
        PEMBlock.render(label: "PRIVATE KEY", body: self.pkcs8DERRepresentation)
    }

    /// The DER PKCS#1 `RSAPrivateKey` (RFC 8017 Appendix A.1.2); nil for Ed25519, which has no PKCS#1 form.
    public var pkcs1DERRepresentation: [UInt8]? {
        guard case .rsa(let numbers) = self.backing else { return nil }
        return numbers.derRepresentation
    }

    /// The `-----BEGIN RSA PRIVATE KEY-----` PEM form; nil for Ed25519.
    public var pkcs1PEMRepresentation: String? {
        self.pkcs1DERRepresentation.map { PEMBlock.render(label: "RSA PRIVATE KEY", body: $0) }
    }

    /// The PEM that EC2's CreateKeyPair returns for `KeyFormat=pem`: PKCS#1 for RSA, OpenSSH for Ed25519.
    public func pemRepresentation(comment: String = "") -> String {
        self.pkcs1PEMRepresentation ?? self.openSSHRepresentation(comment: comment)
    }

    /// Parses a DER PKCS#1 `RSAPrivateKey`.
    public init(pkcs1DERRepresentation der: some Collection<UInt8>) throws {
        let numbers: RSAPrivateKeyNumbers
        do {
            numbers = try RSAPrivateKeyNumbers(derEncoded: Array(der))
        } catch let error as KeyFormatsError {
            throw error
        } catch {
            throw KeyFormatsError.invalidEncoding("The DER data is not a PKCS#1 RSAPrivateKey structure.")
        }
        try self.init(rsaNumbers: numbers)
    }

    /// Parses a DER PKCS#8 `PrivateKeyInfo` holding an RSA or Ed25519 key.
    public init(pkcs8DERRepresentation der: some Collection<UInt8>) throws {
        let info: PrivateKeyInfo
        do {
            info = try PrivateKeyInfo(derEncoded: Array(der))
        } catch {
            throw KeyFormatsError.invalidEncoding("The DER data is not a PKCS#8 PrivateKeyInfo structure.")
        }
        switch info.algorithm.algorithm {
        case .rsaEncryption:
            try self.init(pkcs1DERRepresentation: info.privateKey)
        case .ed25519:
            guard let seed = try? ASN1OctetString(derEncoded: info.privateKey) else {
                throw KeyFormatsError.invalidEncoding("The PKCS#8 Ed25519 key does not hold an OCTET STRING seed.")
            }
            try self.init(ed25519Seed: seed.bytes)
        case let other:
            throw KeyFormatsError.unsupportedKeyType(
                "\(other.keyAlgorithmName) keys are not supported; use RSA or Ed25519."
            )
        }
    }

    /// Decrypts data encrypted with RSA PKCS#1 v1.5 padding (RFC 8017 §7.2), as EC2 encrypts Windows passwords.
    public func decryptPKCS1v15(_ ciphertext: some Collection<UInt8>) throws -> [UInt8] {
        guard case .rsa(let numbers) = self.backing else {
            throw KeyFormatsError.unsupportedOperation("Only RSA keys can decrypt PKCS#1 v1.5 data; this is Ed25519.")
        }
        do {
            let key = try _RSA.Encryption.PrivateKey(unsafeDERRepresentation: numbers.derRepresentation)
            return Array(try key.decrypt(Array(ciphertext), padding: ._WEAK_AND_INSECURE_PKCS_V1_5))
        } catch {
            throw KeyFormatsError.decryptionFailed("The data does not decrypt with this private key.")
        }
    }
}

extension PublicKey {
    /// Encrypts with RSA PKCS#1 v1.5 padding (RFC 8017 §7.2), as EC2 encrypts Windows passwords.
    ///
    /// The plaintext may be at most the modulus size in bytes less 11.
    public func encryptPKCS1v15(_ plaintext: some Collection<UInt8>) throws -> [UInt8] {
        guard case .rsa = self.backing else {
            throw KeyFormatsError.unsupportedOperation("Only RSA keys can encrypt PKCS#1 v1.5 data; this is Ed25519.")
        }
        guard self.bitCount <= 8192 else {
            throw KeyFormatsError.unsupportedOperation("RSA encryption is supported for keys of at most 8192 bits.")
        }
        guard plaintext.count <= (self.bitCount + 7) / 8 - 11 else {
            throw KeyFormatsError.unsupportedOperation(
                "The plaintext has \(plaintext.count) bytes; this key encrypts at most \((self.bitCount + 7) / 8 - 11)."
            )
        }
        let key = try _RSA.Encryption.PublicKey(unsafeDERRepresentation: self.derRepresentation)
        return Array(try key.encrypt(Array(plaintext), padding: ._WEAK_AND_INSECURE_PKCS_V1_5))
    }
}
