import Foundation
import KeyFormats
import Testing

/// Every format we write reads back as the same key, with the same fingerprints and comment.
@Suite struct RoundTripTests {
    static let keys: [PrivateKey] = [
        try! PrivateKey(generating: .rsa),
        try! PrivateKey(generating: .ed25519),
        try! PrivateKey(unsafeGeneratingRSA1024: ()),
    ]

    @Test(arguments: keys)
    func privateFormatsRoundTrip(_ key: PrivateKey) throws {
        var texts: [String: String] = [
            "pkcs8": key.pkcs8PEMRepresentation,
            "openssh": key.openSSHRepresentation(comment: "round trip"),
            "ppk2": key.ppkRepresentation(comment: "round trip", version: .v2),
            "ppk3": key.ppkRepresentation(comment: "round trip", version: .v3),
            "pem": key.pemRepresentation(comment: "round trip"),
        ]
        if let pkcs1 = key.pkcs1PEMRepresentation { texts["pkcs1"] = pkcs1 }
        for (name, text) in texts {
            let material = try KeyMaterial(text: text)
            let parsed = try #require(material.privateKey, "\(name)")
            #expect(parsed.publicKey == key.publicKey, "\(name)")
            #expect(parsed.fingerprints == key.fingerprints, "\(name)")
            #expect(parsed.pkcs8DERRepresentation == key.pkcs8DERRepresentation, "\(name)")
            // PKCS#1 and PKCS#8 have no comment field; EC2's "pem" is PKCS#1 for RSA.
            if !["pkcs8", "pkcs1"].contains(name) && !(name == "pem" && key.keyType == .rsa) {
                #expect(material.comment == "round trip", "\(name)")
            }
        }
    }

    @Test(arguments: keys)
    func publicFormatsRoundTrip(_ key: PrivateKey) throws {
        let publicKey = key.publicKey
        let comment = String(repeating: "a long comment with \"quotes\" and \\ backslashes ", count: 3)
        let rfc4716 = publicKey.rfc4716Representation(comment: comment)
        #expect(rfc4716.split(separator: "\n").allSatisfy { $0.utf8.count <= 72 })
        let parsedRFC = try KeyMaterial(text: rfc4716)
        #expect(parsedRFC.publicKey == publicKey)
        #expect(parsedRFC.comment == comment)
        let line = try KeyMaterial(text: publicKey.openSSHRepresentation(comment: "c d e"))
        #expect(line.publicKey == publicKey)
        #expect(line.comment == "c d e")
        #expect(try KeyMaterial(text: publicKey.pemRepresentation).publicKey == publicKey)
        #expect(try KeyMaterial(bytes: publicKey.derRepresentation).publicKey == publicKey)
        #expect(try PublicKey(sshWireRepresentation: publicKey.sshWireRepresentation) == publicKey)
    }

    /// Windows tools write CRLF line ends; PEM (RFC 7468), PPK and RFC 4716 readers must take them.
    @Test(arguments: keys)
    func crlfLineEndsAreRead(_ key: PrivateKey) throws {
        let texts = [
            key.pkcs8PEMRepresentation, key.ppkRepresentation(comment: "pc"), key.openSSHRepresentation(),
            key.publicKey.rfc4716Representation(comment: "pc"), key.publicKey.pemRepresentation,
        ]
        for text in texts {
            let windows = text.replacingOccurrences(of: "\n", with: "\r\n")
            #expect(try KeyMaterial(text: windows).publicKey == key.publicKey)
        }
    }

    @Test func opensshOutputIsPinnedByItsCheckValue() throws {
        let key = try PrivateKey(ed25519Seed: [UInt8](repeating: 7, count: 32))
        let first = key.openSSHRepresentation(comment: "x", checkInt: 0x0102_0304)
        #expect(first == key.openSSHRepresentation(comment: "x", checkInt: 0x0102_0304))
        #expect(first != key.openSSHRepresentation(comment: "x", checkInt: 0x0506_0708))
        #expect(first.hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----\n"))
        #expect(first.split(separator: "\n").allSatisfy { $0.count <= 70 })
    }

    @Test func ec2PEMIsPKCS1ForRSAAndOpenSSHForEd25519() throws {
        #expect(try PrivateKey(generating: .rsa).pemRepresentation().hasPrefix("-----BEGIN RSA PRIVATE KEY-----\n"))
        #expect(
            try PrivateKey(generating: .ed25519).pemRepresentation().hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----\n")
        )
    }

    @Test(arguments: [PrivateKey.RSAKeySize.bits2048, .bits3072])
    func generatedRSASizes(_ size: PrivateKey.RSAKeySize) throws {
        let key = try PrivateKey(generating: .rsa, rsaKeySize: size)
        #expect(key.bitCount == size.bitCount)
        #expect(key.publicKey.sshWireRepresentation.suffix(0).isEmpty)
        // Exponent 65537, as EC2's keys have.
        #expect(key.publicKey.openSSHRepresentation().hasPrefix("ssh-rsa AAAAB3NzaC1yc2EAAAADAQAB"))
    }

    @Test func onlySafeSizesAreOffered() {
        #expect(PrivateKey.RSAKeySize(safeBitCount: 1024) == nil)
        #expect(PrivateKey.RSAKeySize(safeBitCount: 2047) == nil)
        #expect(PrivateKey.RSAKeySize(safeBitCount: 4096) == .bits4096)
    }

    @Test func encryptionRoundTrip() throws {
        let key = try PrivateKey(generating: .rsa)
        let secret = Array("correct horse battery staple".utf8)
        let ciphertext = try key.publicKey.encryptPKCS1v15(secret)
        #expect(ciphertext.count == 256)
        #expect(try key.decryptPKCS1v15(ciphertext) == secret)
        #expect(throws: KeyFormatsError.unsupportedOperation("")) {
            try key.publicKey.encryptPKCS1v15([UInt8](repeating: 1, count: 246))
        }
        let other = try PrivateKey(generating: .rsa)
        #expect(throws: KeyFormatsError.decryptionFailed("")) { try other.decryptPKCS1v15(ciphertext) }
        let ed = try PrivateKey(generating: .ed25519)
        #expect(throws: KeyFormatsError.unsupportedOperation("")) { try ed.publicKey.encryptPKCS1v15(secret) }
    }
}

extension PrivateKey: CustomTestStringConvertible {
    public var testDescription: String { "\(self.keyType) \(self.bitCount)" }
}
