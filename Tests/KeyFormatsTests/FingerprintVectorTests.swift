import Foundation
import KeyFormats
import Testing

/// The worked examples of the AWS API spec §2.7, computed there with OpenSSL 3.0.19 and OpenSSH 9.2p1.
@Suite struct FingerprintVectorTests {
    static let rsaVector = try! Fixtures.text("vectors/spec-rsa-1024.pem")
    static let rsaPublicLine =
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDR7US3R0ThY3O6VDanJrFq8RAs/0kfRm/LAYox1z3g4ip6XzknyoN3QkU9kgQwsOZVF3BZZNvulsSO5OnKqLupyOLxtzWdQKiHYD8/9uGp0HijRIbHgboBGTlwBJNfPIGuFJgrueV0BiPEAcpJ4N6I1plqeU/OI0WSMBwbNBr9Uw== vector-key"
    static let ed25519PublicLine = try! Fixtures.text("vectors/spec-ed25519.pub")

    @Test func createdRSAIsSHA1OfPKCS8() throws {
        let material = try KeyMaterial(text: Self.rsaVector)
        #expect(material.format == .pkcs1PEM)
        #expect(material.fingerprints.awsCreated == "e0:e6:97:bf:76:55:67:90:59:c0:98:06:ce:ff:d9:4c:c3:3f:73:a0")
        // The PKCS#8 encoding must carry rsaEncryption's explicit NULL parameters (05 00).
        let pkcs8 = try #require(material.privateKey).pkcs8DERRepresentation
        #expect(
            Array(pkcs8.prefix(26)) == [
                0x30, 0x82, 0x02, 0x76, 0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
                0x01, 0x01, 0x01, 0x05, 0x00, 0x04, 0x82, 0x02, 0x60,
            ]
        )
    }

    @Test func importedRSAIsMD5OfSPKI() throws {
        let fromPrivate = try KeyMaterial(text: Self.rsaVector)
        let fromPublic = try KeyMaterial(text: Self.rsaPublicLine)
        #expect(fromPrivate.fingerprints.awsImported == "da:17:fb:a9:23:54:c4:4f:f8:09:39:9a:48:01:f0:71")
        #expect(fromPublic.fingerprints.awsImported == "da:17:fb:a9:23:54:c4:4f:f8:09:39:9a:48:01:f0:71")
        #expect(fromPublic.publicKey.awsImportedFingerprint == "da:17:fb:a9:23:54:c4:4f:f8:09:39:9a:48:01:f0:71")
        #expect(fromPublic.fingerprints.awsCreated == nil)
        #expect(fromPublic.comment == "vector-key")
        #expect(try KeyMaterial(text: Self.ed25519PublicLine).comment == "vector-ed25519")
    }

    @Test func openSSHMD5DiffersFromEC2s() throws {
        let material = try KeyMaterial(text: Self.rsaPublicLine)
        #expect(material.fingerprints.md5 == "MD5:08:67:ae:c0:6c:2a:ac:c0:17:1f:3b:1b:da:07:c1:54")
        #expect(material.fingerprints.md5.dropFirst(4) != material.fingerprints.awsImported)
    }

    @Test func ed25519IsPaddedBase64SHA256() throws {
        let material = try KeyMaterial(text: Self.ed25519PublicLine)
        #expect(material.fingerprints.sha256 == "SHA256:FfsyKMAbcFdioVECfB2KxYB4xJFpmd/GDCK5biOIzg8")
        #expect(material.fingerprints.awsImported == "FfsyKMAbcFdioVECfB2KxYB4xJFpmd/GDCK5biOIzg8=")
        #expect(material.fingerprints.awsCreated == "FfsyKMAbcFdioVECfB2KxYB4xJFpmd/GDCK5biOIzg8=")
        #expect(material.publicKey.awsImportedFingerprint == "FfsyKMAbcFdioVECfB2KxYB4xJFpmd/GDCK5biOIzg8=")
    }

    @Test func publicLineOfTheRSAVector() throws {
        let key = try #require(try KeyMaterial(text: Self.rsaVector).privateKey)
        #expect(key.publicKey.openSSHRepresentation(comment: "vector-key") == Self.rsaPublicLine)
        #expect(key.bitCount == 1024)
    }

    /// The GetPasswordData vector of spec §4.2: ciphertext made by AWS's scheme decrypts to the known password.
    @Test func passwordDataVectorDecrypts() throws {
        let key = try #require(try KeyMaterial(text: Self.rsaVector).privateKey)
        let ciphertext = try #require(
            Data(
                base64Encoded:
                    "VWloH2tIutmtCeDGq4RnOcnYdgB2pGMFa1pNZSTtKADFO2tB0L2lZFrGQSjothB/6RKj9rQ6CQ4cyONxk/mMOzTU8OUA6pDePLHzVndR37cFpS/Xcnr5wlmZV4CillT0vA+eqT9jyctKrVUXwcd4ZspDm9JqpeflWEneYeXZIfk="
            )
        )
        #expect(String(decoding: try key.decryptPKCS1v15(ciphertext), as: UTF8.self) == "Xy7#pQ2!vL9s")
    }
}
