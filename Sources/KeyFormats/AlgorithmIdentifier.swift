import SwiftASN1

/// An X.509 `AlgorithmIdentifier` (RFC 5280 §4.1.1.2): an object identifier and optional parameters.
struct AlgorithmIdentifier: DERImplicitlyTaggable, Hashable, Sendable {
    static var defaultIdentifier: ASN1Identifier { .sequence }

    var algorithm: ASN1ObjectIdentifier
    var parameters: ASN1Any?

    init(algorithm: ASN1ObjectIdentifier, parameters: ASN1Any?) {
        self.algorithm = algorithm
        self.parameters = parameters
    }

    init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let algorithm = try ASN1ObjectIdentifier(derEncoded: &nodes)
            let parameters = nodes.next().map { ASN1Any(derEncoded: $0) }
            return AlgorithmIdentifier(algorithm: algorithm, parameters: parameters)
        }
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(self.algorithm)
            if let parameters = self.parameters {
                try coder.serialize(parameters)
            }
        }
    }

    /// `rsaEncryption` with the explicit NULL parameters that RFC 8017 Appendix A.1 requires.
    ///
    /// The NULL matters: AWS's fingerprint of a created RSA key is the SHA-1 of a PKCS#8 encoding that has it.
    static let rsaEncryption = AlgorithmIdentifier(
        algorithm: .rsaEncryption,
        parameters: try! ASN1Any(erasing: ASN1Null())
    )

    /// `id-Ed25519` (RFC 8410 §3), which has no parameters.
    static let ed25519 = AlgorithmIdentifier(algorithm: .ed25519, parameters: nil)
}

extension ASN1ObjectIdentifier {
    static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 1]
    static let ed25519: ASN1ObjectIdentifier = [1, 3, 101, 112]
    static let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]
    static let dsa: ASN1ObjectIdentifier = [1, 2, 840, 10040, 4, 1]
    static let secp256r1: ASN1ObjectIdentifier = [1, 2, 840, 10045, 3, 1, 7]
    static let secp384r1: ASN1ObjectIdentifier = [1, 3, 132, 0, 34]
    static let secp521r1: ASN1ObjectIdentifier = [1, 3, 132, 0, 35]

    /// A short name for an algorithm OID, for error messages.
    var keyAlgorithmName: String {
        switch self {
        case .rsaEncryption: "RSA"
        case .ed25519: "Ed25519"
        case .ecPublicKey: "ECDSA"
        case .dsa: "DSA"
        case [1, 3, 101, 113]: "Ed448"
        case [1, 3, 101, 110]: "X25519"
        default: "an algorithm with OID \(self)"
        }
    }
}
