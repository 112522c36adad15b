import KeyFormats
import Testing

/// Certificates and keys made by openssl: each key matches its own certificate and no other.
@Suite struct CertificateKeyCheckTests {
    static let labels = ["rsa2048", "rsa1024", "p256", "p384", "ed25519"]

    @Test(arguments: labels)
    func ownKeyMatchesInEveryEncoding(_ label: String) throws {
        let certificate = try Fixtures.text("certificates/\(label).cert.pem")
        var encodings = ["pkcs8"]
        if label.hasPrefix("rsa") { encodings.append("pkcs1") }
        if label.hasPrefix("p") { encodings.append("sec1") }
        for encoding in encodings {
            let key = try Fixtures.text("certificates/\(label).key.\(encoding).pem")
            #expect(try CertificateKeyCheck.privateKey(key, matchesCertificate: certificate), "\(encoding)")
        }
    }

    @Test(arguments: labels)
    func otherKeysDoNotMatch(_ label: String) throws {
        let certificate = try Fixtures.text("certificates/\(label).cert.pem")
        for other in Self.labels {
            let key = try Fixtures.text("certificates/\(other).other.key.pkcs8.pem")
            #expect(try !CertificateKeyCheck.privateKey(key, matchesCertificate: certificate), "\(other)")
        }
    }

    @Test func ecParametersBlockBeforeTheKeyIsIgnored() throws {
        let certificate = try Fixtures.text("certificates/p256.cert.pem")
        let key =
            "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
            + (try Fixtures.text("certificates/p256.key.sec1.pem"))
        #expect(try CertificateKeyCheck.privateKey(key, matchesCertificate: certificate))
    }

    @Test func encryptedKeyIsReportedAsSuch() throws {
        let certificate = try Fixtures.text("certificates/rsa2048.cert.pem")
        let key = try Fixtures.text("certificates/rsa2048.key.encrypted.pem")
        #expect(throws: KeyFormatsError.passphraseProtected("")) {
            try CertificateKeyCheck.privateKey(key, matchesCertificate: certificate)
        }
    }

    @Test func garbageCertificateIsInvalid() throws {
        let key = try Fixtures.text("certificates/rsa2048.key.pkcs8.pem")
        #expect(throws: KeyFormatsError.invalidCertificate("")) {
            try CertificateKeyCheck.privateKey(key, matchesCertificate: "not a certificate")
        }
        #expect(throws: KeyFormatsError.invalidCertificate("")) {
            try CertificateKeyCheck.privateKey(
                key,
                matchesCertificate: "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n"
            )
        }
    }
}
