import Crypto
import SwiftASN1

/// Decides whether a private key belongs to an X.509 certificate, as IAM's UploadServerCertificate must before it
/// answers `KeyPairMismatch`.
///
/// The certificate is read only as far as its `subjectPublicKeyInfo` (RFC 5280 §4.1), so keys of any size work,
/// including RSA below 2048 bits that swift-certificates refuses. Private keys may be RSA (PKCS#1 or PKCS#8), EC on
/// P-256 or P-384 (SEC1 or PKCS#8), or Ed25519 (PKCS#8).
public enum CertificateKeyCheck {
    /// Returns whether the unencrypted PEM private key's public half is the certificate's public key.
    ///
    /// Throws ``KeyFormatsError/Code/invalidCertificate`` for a certificate that cannot be read, and the key's own
    /// error (``KeyFormatsError/Code/passphraseProtected`` among them) for a key that cannot be read.
    public static func privateKey(_ privateKeyPEM: String, matchesCertificate certificatePEM: String) throws -> Bool {
        let certificateKey = try Self.certificatePublicKey(certificatePEM)
        return try Self.publicKey(ofPrivateKeyPEM: privateKeyPEM) == certificateKey
    }

    /// A public key reduced to what identifies it: its algorithm (with curve) and its key bytes.
    private struct Identity: Equatable {
        var algorithm: String
        var key: [UInt8]
    }

    private static func certificatePublicKey(_ pem: String) throws -> Identity {
        let blocks = (try? PEMBlock.parseAll(pem[...])) ?? []
        guard let block = blocks.first(where: { $0.label == "CERTIFICATE" }) else {
            throw KeyFormatsError.invalidCertificate("The input holds no PEM 'CERTIFICATE' block.")
        }
        do {
            let root = try DER.parse(block.body)
            guard case .constructed(let parts) = root.content, let tbs = parts.first(where: { _ in true }),
                case .constructed(let fields) = tbs.content
            else {
                throw KeyFormatsError.invalidCertificate("The certificate is not an X.509 Certificate structure.")
            }
            var tbsFields = Array(fields)
            if tbsFields.first?.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
                tbsFields.removeFirst()
            }
            // serialNumber, signature, issuer, validity, subject, then subjectPublicKeyInfo.
            guard tbsFields.count > 5 else {
                throw KeyFormatsError.invalidCertificate("The certificate's TBSCertificate is missing fields.")
            }
            let spki = try SubjectPublicKeyInfo(derEncoded: tbsFields[5])
            return try Self.identity(of: spki)
        } catch let error as KeyFormatsError {
            throw error
        } catch {
            throw KeyFormatsError.invalidCertificate("The certificate is not valid DER X.509.")
        }
    }

    private static func identity(of spki: SubjectPublicKeyInfo) throws -> Identity {
        switch spki.algorithm.algorithm {
        case .rsaEncryption:
            let rsa = try RSAPublicKeyStructure(derEncoded: Array(spki.key.bytes))
            var writer = SSHWireWriter()
            writer.writePositiveMPInt(rsa.publicExponent)
            writer.writePositiveMPInt(rsa.modulus)
            return Identity(algorithm: "rsa", key: writer.bytes)
        case .ed25519:
            return Identity(algorithm: "ed25519", key: Array(spki.key.bytes))
        case .ecPublicKey:
            var serializer = DER.Serializer()
            try serializer.serialize(spki)
            let der = serializer.serializedBytes
            if let key = try? P256.Signing.PublicKey(derRepresentation: der) {
                return Identity(algorithm: "p256", key: Array(key.x963Representation))
            }
            if let key = try? P384.Signing.PublicKey(derRepresentation: der) {
                return Identity(algorithm: "p384", key: Array(key.x963Representation))
            }
            throw KeyFormatsError.unsupportedKeyType("Only the EC curves P-256 and P-384 are supported.")
        case let other:
            throw KeyFormatsError.unsupportedKeyType("\(other.keyAlgorithmName) certificates are not supported.")
        }
    }

    private static func publicKey(ofPrivateKeyPEM pem: String) throws -> Identity {
        // `openssl ecparam -genkey` puts an EC PARAMETERS block before the key; the key names its curve itself.
        let blocks = try PEMBlock.parseAll(pem[...]).filter { $0.label != "EC PARAMETERS" }
        guard blocks.count == 1, let block = blocks.first else {
            throw blocks.isEmpty
                ? KeyFormatsError.unrecognizedFormat("The private key is not PEM.")
                : KeyFormatsError.multipleKeys("The private key input holds \(blocks.count) PEM blocks; give one key.")
        }
        switch block.label {
        case "EC PRIVATE KEY":
            if block.headers["Proc-Type"]?.contains("ENCRYPTED") == true {
                throw KeyFormatsError.passphraseProtected("The EC private key is protected by a passphrase.")
            }
            return try Self.ecIdentity(pem: PEMBlock.render(label: block.label, body: block.body))
        case "PRIVATE KEY":
            if let info = try? PrivateKeyInfo(derEncoded: block.body), info.algorithm.algorithm == .ecPublicKey {
                return try Self.ecIdentity(pem: PEMBlock.render(label: block.label, body: block.body))
            }
        default:
            break
        }
        let material = try KeyMaterial(text: pem)
        guard let privateKey = material.privateKey else {
            throw KeyFormatsError.privateKeyRequired("The input is a public key; a private key is needed.")
        }
        switch privateKey.publicKey.backing {
        case .rsa(let modulus, let exponent):
            var writer = SSHWireWriter()
            writer.writePositiveMPInt(exponent)
            writer.writePositiveMPInt(modulus)
            return Identity(algorithm: "rsa", key: writer.bytes)
        case .ed25519(let raw):
            return Identity(algorithm: "ed25519", key: raw)
        }
    }

    private static func ecIdentity(pem: String) throws -> Identity {
        if let key = try? P256.Signing.PrivateKey(pemRepresentation: pem) {
            return Identity(algorithm: "p256", key: Array(key.publicKey.x963Representation))
        }
        if let key = try? P384.Signing.PrivateKey(pemRepresentation: pem) {
            return Identity(algorithm: "p384", key: Array(key.publicKey.x963Representation))
        }
        throw KeyFormatsError.unsupportedKeyType("The EC private key is not on P-256 or P-384, or is damaged.")
    }
}
