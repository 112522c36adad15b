import BigInt
import Foundation
import SwiftASN1
import _CryptoExtras

/// The numbers of a two-prime RSA private key, as PKCS#1 `RSAPrivateKey` (RFC 8017 Appendix A.1.2) holds them.
///
/// Every value is a big-endian magnitude without leading zero bytes.
struct RSAPrivateKeyNumbers: DERImplicitlyTaggable, Hashable, Sendable {
    static var defaultIdentifier: ASN1Identifier { .sequence }

    var modulus: [UInt8]
    var publicExponent: [UInt8]
    var privateExponent: [UInt8]
    var prime1: [UInt8]
    var prime2: [UInt8]
    var exponent1: [UInt8]
    var exponent2: [UInt8]
    /// `(inverse of prime2) mod prime1`, which OpenSSH and PuTTY call `iqmp`.
    var coefficient: [UInt8]

    init(
        modulus: [UInt8],
        publicExponent: [UInt8],
        privateExponent: [UInt8],
        prime1: [UInt8],
        prime2: [UInt8],
        exponent1: [UInt8],
        exponent2: [UInt8],
        coefficient: [UInt8]
    ) {
        self.modulus = Array(modulus.drop(while: { $0 == 0 }))
        self.publicExponent = Array(publicExponent.drop(while: { $0 == 0 }))
        self.privateExponent = Array(privateExponent.drop(while: { $0 == 0 }))
        self.prime1 = Array(prime1.drop(while: { $0 == 0 }))
        self.prime2 = Array(prime2.drop(while: { $0 == 0 }))
        self.exponent1 = Array(exponent1.drop(while: { $0 == 0 }))
        self.exponent2 = Array(exponent2.drop(while: { $0 == 0 }))
        self.coefficient = Array(coefficient.drop(while: { $0 == 0 }))
    }

    /// Builds the numbers from what OpenSSH and PuTTY files keep (`n e d iqmp p q`), computing the two CRT exponents.
    init(
        modulus: [UInt8],
        publicExponent: [UInt8],
        privateExponent: [UInt8],
        prime1: [UInt8],
        prime2: [UInt8],
        coefficient: [UInt8]
    ) throws {
        // The divisions below take time quadratic in the numbers' size: refuse what no accepted key could hold first.
        let modulusBits = modulus.bitCount
        guard modulusBits <= PublicKey.rsaModulusBits.upperBound else {
            throw KeyFormatsError.invalidKeySize(
                "The RSA key has \(modulusBits) bits; RSA keys must have 1024 to 16384 bits."
            )
        }
        guard [publicExponent, privateExponent, prime1, prime2, coefficient].allSatisfy({ $0.bitCount <= modulusBits })
        else {
            throw KeyFormatsError.invalidKey("The RSA private key holds a number larger than its modulus.")
        }
        let d = BigUInt(Data(privateExponent))
        let p = BigUInt(Data(prime1))
        let q = BigUInt(Data(prime2))
        guard p > 1, q > 1 else {
            throw KeyFormatsError.invalidKey("The RSA private key has a prime factor of 0 or 1.")
        }
        self.init(
            modulus: modulus,
            publicExponent: publicExponent,
            privateExponent: privateExponent,
            prime1: prime1,
            prime2: prime2,
            exponent1: Array((d % (p - 1)).serialize()),
            exponent2: Array((d % (q - 1)).serialize()),
            coefficient: coefficient
        )
    }

    init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let version = try Int(derEncoded: &nodes)
            guard version == 0 else {
                throw KeyFormatsError.unsupportedKeyType(
                    "Multi-prime RSA keys (more than two primes) are not supported."
                )
            }
            func next() throws -> [UInt8] { Array(try ArraySlice<UInt8>(derEncoded: &nodes)) }
            return RSAPrivateKeyNumbers(
                modulus: try next(),
                publicExponent: try next(),
                privateExponent: try next(),
                prime1: try next(),
                prime2: try next(),
                exponent1: try next(),
                exponent2: try next(),
                coefficient: try next()
            )
        }
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(0)
            for value in [
                self.modulus, self.publicExponent, self.privateExponent, self.prime1, self.prime2, self.exponent1,
                self.exponent2, self.coefficient,
            ] {
                try coder.serialize(ArraySlice(value))
            }
        }
    }

    /// The PKCS#1 DER encoding.
    var derRepresentation: [UInt8] {
        var serializer = DER.Serializer()
        try! serializer.serialize(self)
        return serializer.serializedBytes
    }

    /// The modulus size in bits.
    var bitCount: Int { self.modulus.bitCount }

    /// Checks that the numbers form one consistent RSA key, with BoringSSL's `RSA_check_key`.
    ///
    /// BoringSSL checks keys of 1024 to 8192 bits; larger private keys are refused before this is called.
    func validate() throws {
        do {
            _ = try _RSA.Signing.PrivateKey(unsafeDERRepresentation: self.derRepresentation)
        } catch {
            throw KeyFormatsError.invalidKey("The RSA private key's numbers are not consistent with each other.")
        }
    }
}

extension Array where Element == UInt8 {
    /// The number of significant bits of a big-endian magnitude.
    var bitCount: Int {
        guard let index = self.firstIndex(where: { $0 != 0 }) else { return 0 }
        return (self.count - index - 1) * 8 + (8 - self[index].leadingZeroBitCount)
    }
}
