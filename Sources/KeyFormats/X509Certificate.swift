import Foundation
import SwiftASN1
import X509

/// An X.509 certificate (RFC 5280) read from PEM, with what IAM's UploadServerCertificate checks: its validity
/// period, its names, and whether another certificate signed it. Built on swift-certificates.
///
/// swift-certificates refuses RSA keys below 2048 bits, so such certificates cannot be read here.
public struct X509Certificate: Sendable {
    let certificate: Certificate
    /// The certificate's PEM block, normalised.
    public let pemRepresentation: String

    init(certificate: Certificate) throws {
        self.certificate = certificate
        self.pemRepresentation = try certificate.serializeAsPEM().pemString + "\n"
    }

    /// Reads exactly one `CERTIFICATE` PEM block; text around it is ignored, as AWS ignores it.
    public init(pemRepresentation pem: String) throws(KeyFormatsError) {
        let blocks = Self.certificateBlocks(pem)
        guard blocks.count == 1, let block = blocks.first else {
            throw KeyFormatsError.invalidCertificate(
                blocks.isEmpty
                    ? "The input holds no PEM certificate." : "The input holds \(blocks.count) certificates; give one."
            )
        }
        self = try Self.parse(block)
    }

    /// Reads every `CERTIFICATE` block of a chain, in order.
    public static func chain(pemRepresentation pem: String) throws(KeyFormatsError) -> [X509Certificate] {
        var result: [X509Certificate] = []
        for block in Self.certificateBlocks(pem) { result.append(try Self.parse(block)) }
        guard !result.isEmpty else { throw KeyFormatsError.invalidCertificate("The chain holds no PEM certificate.") }
        return result
    }

    private static func certificateBlocks(_ pem: String) -> [PEMBlock] {
        ((try? PEMBlock.parseAll(pem[...])) ?? []).filter { $0.label == "CERTIFICATE" }
    }

    private static func parse(_ block: PEMBlock) throws(KeyFormatsError) -> X509Certificate {
        do {
            return try X509Certificate(certificate: Certificate(derEncoded: block.body))
        } catch {
            throw KeyFormatsError.invalidCertificate("The certificate is not a readable X.509 certificate.")
        }
    }

    /// The start of the validity period.
    public var notValidBefore: Date { self.certificate.notValidBefore }
    /// The end of the validity period; IAM reports it as the certificate's `Expiration`.
    public var notValidAfter: Date { self.certificate.notValidAfter }
    /// The subject, as an RFC 4514 string.
    public var subject: String { self.certificate.subject.description }

    /// Whether `issuer` issued this certificate: its subject is this certificate's issuer, and its key verifies
    /// this certificate's signature.
    public func isIssued(by issuer: X509Certificate) -> Bool {
        self.certificate.issuer == issuer.certificate.subject
            && issuer.certificate.publicKey.isValidSignature(self.certificate.signature, for: self.certificate)
    }

    /// Whether the certificate is self-signed.
    public var isSelfSigned: Bool { self.isIssued(by: self) }
}
