import SwiftASN1

/// A PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey` (RFC 5208, RFC 5958), the DER structure behind `BEGIN PRIVATE KEY`.
///
/// Version 2 keys may carry attributes and a copy of the public key after the private key; both are skipped on
/// input and never written.
struct PrivateKeyInfo: DERImplicitlyTaggable, Sendable {
    static var defaultIdentifier: ASN1Identifier { .sequence }

    var algorithm: AlgorithmIdentifier
    var privateKey: ArraySlice<UInt8>

    init(algorithm: AlgorithmIdentifier, privateKey: ArraySlice<UInt8>) {
        self.algorithm = algorithm
        self.privateKey = privateKey
    }

    init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let version = try Int(derEncoded: &nodes)
            guard version == 0 || version == 1 else {
                throw ASN1Error.invalidASN1Object(reason: "unknown PKCS#8 version \(version)")
            }
            let algorithm = try AlgorithmIdentifier(derEncoded: &nodes)
            let privateKey = try ASN1OctetString(derEncoded: &nodes)
            while let node = nodes.next() {
                // [0] attributes and [1] publicKey are optional and not needed: the key is derived again.
                guard node.identifier.tagClass == .contextSpecific else {
                    throw ASN1Error.invalidASN1Object(reason: "unexpected field after the PKCS#8 private key")
                }
            }
            return PrivateKeyInfo(algorithm: algorithm, privateKey: privateKey.bytes)
        }
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(0)
            try coder.serialize(self.algorithm)
            try coder.serialize(ASN1OctetString(contentBytes: self.privateKey))
        }
    }
}
