import SwiftASN1

/// An X.509 `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7), the DER structure behind `BEGIN PUBLIC KEY`.
struct SubjectPublicKeyInfo: DERImplicitlyTaggable, Hashable, Sendable {
    static var defaultIdentifier: ASN1Identifier { .sequence }

    var algorithm: AlgorithmIdentifier
    var key: ASN1BitString

    init(algorithm: AlgorithmIdentifier, key: ArraySlice<UInt8>) {
        self.algorithm = algorithm
        self.key = ASN1BitString(bytes: key)
    }

    init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let algorithm = try AlgorithmIdentifier(derEncoded: &nodes)
            let key = try ASN1BitString(derEncoded: &nodes)
            return SubjectPublicKeyInfo(algorithm: algorithm, key: key.bytes)
        }
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(self.algorithm)
            try coder.serialize(self.key)
        }
    }
}

/// A PKCS#1 `RSAPublicKey` (RFC 8017 Appendix A.1.1): the modulus and the public exponent.
struct RSAPublicKeyStructure: DERImplicitlyTaggable, Hashable, Sendable {
    static var defaultIdentifier: ASN1Identifier { .sequence }

    var modulus: ArraySlice<UInt8>
    var publicExponent: ArraySlice<UInt8>

    init(modulus: ArraySlice<UInt8>, publicExponent: ArraySlice<UInt8>) {
        self.modulus = modulus
        self.publicExponent = publicExponent
    }

    init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            RSAPublicKeyStructure(
                modulus: try ArraySlice<UInt8>(derEncoded: &nodes),
                publicExponent: try ArraySlice<UInt8>(derEncoded: &nodes)
            )
        }
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(self.modulus)
            try coder.serialize(self.publicExponent)
        }
    }
}
