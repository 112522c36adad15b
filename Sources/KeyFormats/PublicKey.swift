import Foundation
import SwiftASN1

/// A public key of one of the ``KeyType``s: an RSA modulus and exponent, or an Ed25519 point.
///
/// Values are validated on creation: RSA moduli of 1024 to 16384 bits with an odd exponent greater than 1, and
/// Ed25519 keys of exactly 32 bytes. The key carries no comment; parsers return comments beside it.
public struct PublicKey: Hashable, Sendable {
    enum Backing: Hashable, Sendable {
        case rsa(modulus: [UInt8], exponent: [UInt8])
        case ed25519([UInt8])
    }

    let backing: Backing

    /// The range of RSA modulus sizes accepted on input, as AWS's ImportKeyPair accepts them.
    public static let rsaModulusBits: ClosedRange<Int> = 1024...16384

    /// Creates an RSA public key from its big-endian modulus and public exponent.
    public init(rsaModulus modulus: some Collection<UInt8>, publicExponent exponent: some Collection<UInt8>) throws {
        let modulus = Array(modulus.drop(while: { $0 == 0 }))
        let exponent = Array(exponent.drop(while: { $0 == 0 }))
        guard Self.rsaModulusBits.contains(modulus.bitCount) else {
            throw KeyFormatsError.invalidKeySize(
                "The RSA modulus has \(modulus.bitCount) bits; RSA keys must have 1024 to 16384 bits."
            )
        }
        guard let lowByte = modulus.last, lowByte & 1 == 1 else {
            throw KeyFormatsError.invalidKey("The RSA modulus is even, so it is not a product of two odd primes.")
        }
        guard let last = exponent.last, last & 1 == 1, exponent != [1], exponent.count <= 8 else {
            throw KeyFormatsError.invalidKey("The RSA public exponent must be an odd number from 3 to 2^64.")
        }
        self.backing = .rsa(modulus: modulus, exponent: exponent)
    }

    /// Creates an Ed25519 public key from its 32-byte encoding (RFC 8032 §5.1.5).
    public init(ed25519RawRepresentation raw: some Collection<UInt8>) throws {
        guard raw.count == 32 else {
            throw KeyFormatsError.invalidKeySize("The Ed25519 public key has \(raw.count) bytes; it must have 32.")
        }
        self.backing = .ed25519(Array(raw))
    }

    /// The key's algorithm.
    public var keyType: KeyType {
        switch self.backing {
        case .rsa: .rsa
        case .ed25519: .ed25519
        }
    }

    /// The key size in bits: the modulus size for RSA, 256 for Ed25519.
    public var bitCount: Int {
        switch self.backing {
        case .rsa(let modulus, _): modulus.bitCount
        case .ed25519: 256
        }
    }

    /// The SSH wire encoding of the key (RFC 4253 §6.6, RFC 8709 §4): the blob inside an OpenSSH public line.
    public var sshWireRepresentation: [UInt8] {
        var writer = SSHWireWriter()
        writer.writeString(self.keyType.sshName)
        switch self.backing {
        case .rsa(let modulus, let exponent):
            writer.writePositiveMPInt(exponent)
            writer.writePositiveMPInt(modulus)
        case .ed25519(let raw):
            writer.writeString(raw)
        }
        return writer.bytes
    }

    /// Parses an SSH wire blob, checking that it is complete and has nothing after its last field.
    public init(sshWireRepresentation blob: some Collection<UInt8>) throws {
        var reader = SSHWireReader(blob, context: "public key blob")
        self = try Self.read(from: &reader)
        try reader.expectEnd()
    }

    /// Reads a key blob's fields from a reader, leaving anything after them unread.
    static func read(from reader: inout SSHWireReader) throws -> PublicKey {
        let name = try reader.readName()
        switch try KeyType.fromSSHName(name) {
        case .rsa:
            let exponent = try reader.readPositiveMPInt()
            let modulus = try reader.readPositiveMPInt()
            return try PublicKey(rsaModulus: modulus, publicExponent: exponent)
        case .ed25519:
            return try PublicKey(ed25519RawRepresentation: try reader.readString())
        }
    }

    /// The DER `SubjectPublicKeyInfo` (RFC 5280; RFC 8017 for RSA with NULL parameters, RFC 8410 for Ed25519).
    ///
    /// AWS's fingerprint of an imported RSA key is the MD5 of exactly these bytes.
    public var derRepresentation: [UInt8] {
        let spki: SubjectPublicKeyInfo
        switch self.backing {
        case .rsa(let modulus, let exponent):
            var serializer = DER.Serializer()
            try! serializer.serialize(RSAPublicKeyStructure(modulus: modulus[...], publicExponent: exponent[...]))
            spki = SubjectPublicKeyInfo(algorithm: .rsaEncryption, key: serializer.serializedBytes[...])
        case .ed25519(let raw):
            spki = SubjectPublicKeyInfo(algorithm: .ed25519, key: raw[...])
        }
        var serializer = DER.Serializer()
        try! serializer.serialize(spki)
        return serializer.serializedBytes
    }

    /// The `-----BEGIN PUBLIC KEY-----` PEM form of ``derRepresentation``.
    public var pemRepresentation: String {
        PEMDocument(type: "PUBLIC KEY", derBytes: self.derRepresentation).pemString + "\n"
    }

    /// Parses a DER `SubjectPublicKeyInfo` holding an RSA or Ed25519 key.
    public init(derRepresentation der: some Collection<UInt8>) throws {
        let spki: SubjectPublicKeyInfo
        do {
            spki = try SubjectPublicKeyInfo(derEncoded: Array(der))
        } catch {
            throw KeyFormatsError.invalidEncoding("The DER data is not a SubjectPublicKeyInfo structure.")
        }
        switch spki.algorithm.algorithm {
        case .rsaEncryption:
            guard spki.key.paddingBits == 0, let rsa = try? RSAPublicKeyStructure(derEncoded: Array(spki.key.bytes))
            else {
                throw KeyFormatsError.invalidEncoding(
                    "The RSA SubjectPublicKeyInfo does not hold a PKCS#1 RSAPublicKey."
                )
            }
            self = try PublicKey(rsaModulus: rsa.modulus, publicExponent: rsa.publicExponent)
        case .ed25519:
            self = try PublicKey(ed25519RawRepresentation: spki.key.bytes)
        case let other:
            throw KeyFormatsError.unsupportedKeyType(
                "\(other.keyAlgorithmName) keys are not supported; use RSA or Ed25519."
            )
        }
    }

    /// Parses a PKCS#1 DER `RSAPublicKey`, the structure behind `-----BEGIN RSA PUBLIC KEY-----`.
    public init(pkcs1DERRepresentation der: some Collection<UInt8>) throws {
        guard let rsa = try? RSAPublicKeyStructure(derEncoded: Array(der)) else {
            throw KeyFormatsError.invalidEncoding("The DER data is not a PKCS#1 RSAPublicKey structure.")
        }
        self = try PublicKey(rsaModulus: rsa.modulus, publicExponent: rsa.publicExponent)
    }

    /// The PKCS#1 DER `RSAPublicKey`, for RSA keys only.
    public var pkcs1DERRepresentation: [UInt8]? {
        guard case .rsa(let modulus, let exponent) = self.backing else { return nil }
        var serializer = DER.Serializer()
        try! serializer.serialize(RSAPublicKeyStructure(modulus: modulus[...], publicExponent: exponent[...]))
        return serializer.serializedBytes
    }
}
