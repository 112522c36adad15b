import KeyFormats
import Testing

/// Keys made by ssh-keygen, openssl and puttygen parse, and our fingerprints equal what those tools computed.
@Suite struct ValidFixtureTests {
    @Test func everyToolIsRepresented() {
        let files = Fixtures.validCases.map(\.file)
        #expect(files.contains { $0.hasPrefix("ssh-keygen-") })
        #expect(files.contains { $0.hasPrefix("openssl-") })
        #expect(files.contains { $0.hasPrefix("puttygen-") })
    }

    @Test(arguments: Fixtures.validCases)
    func fingerprintsMatchTheTools(_ testCase: ValidCase) throws {
        let material = try KeyMaterial(bytes: try Fixtures.bytes("valid/\(testCase.file)"))
        let prints = material.fingerprints
        #expect(prints.sha256 == testCase.expected.sha256)
        #expect(prints.md5 == testCase.expected.md5)
        #expect(prints.awsImported == testCase.expected.awsImported)
        if material.privateKey != nil || material.publicKey.keyType == .ed25519 {
            #expect(prints.awsCreated == testCase.expected.awsCreated)
        } else {
            #expect(prints.awsCreated == nil)
        }
        #expect(material.publicKey.openSSHRepresentation() == testCase.expected.publicLine)
    }

    @Test func formatsAreDetected() throws {
        let formats: [String: KeyMaterial.Format] = [
            "ssh-keygen-rsa2048.openssh": .openSSHPrivateKey,
            "ssh-keygen-rsa2048.pkcs1.pem": .pkcs1PEM,
            "ssh-keygen-rsa2048.pkcs8.pem": .pkcs8PEM,
            "ssh-keygen-rsa2048.rfc4716": .rfc4716,
            "ssh-keygen-rsa2048.spki.pem": .spkiPEM,
            "ssh-keygen-rsa2048.pkcs1-public.pem": .pkcs1PublicPEM,
            "ssh-keygen-ed25519.pub": .openSSHPublicKey,
            "puttygen-rsa2048.v2.ppk": .ppk2,
            "puttygen-ed25519.v3.ppk": .ppk3,
        ]
        for (file, format) in formats {
            #expect(try KeyMaterial(bytes: try Fixtures.bytes("valid/\(file)")).format == format, "\(file)")
        }
    }

    @Test func commentsAreKept() throws {
        #expect(try KeyMaterial(bytes: try Fixtures.bytes("valid/ssh-keygen-ed25519.openssh")).comment == "ed@fixture")
        #expect(try KeyMaterial(bytes: try Fixtures.bytes("valid/ssh-keygen-ed25519.pub")).comment == "ed@fixture")
        #expect(try KeyMaterial(bytes: try Fixtures.bytes("valid/puttygen-rsa2048.v2.ppk")).comment == "rsa@puttygen")
    }
}
