import KeyFormats
import Testing

@Suite struct FingerprintQueryTests {
    @Test func recognisesEveryForm() throws {
        #expect(
            try FingerprintQuery("e0:e6:97:bf:76:55:67:90:59:c0:98:06:ce:ff:d9:4c:c3:3f:73:a0").candidateRules == [
                .awsCreated
            ]
        )
        #expect(try FingerprintQuery("E0E697BF7655679059C09806CEFFD94CC33F73A0").candidateRules == [.awsCreated])
        #expect(
            try FingerprintQuery("da:17:fb:a9:23:54:c4:4f:f8:09:39:9a:48:01:f0:71").candidateRules == [
                .awsImported, .openSSHMD5,
            ]
        )
        #expect(
            try FingerprintQuery("MD5:08:67:ae:c0:6c:2a:ac:c0:17:1f:3b:1b:da:07:c1:54").candidateRules == [.openSSHMD5]
        )
        #expect(try FingerprintQuery("SHA256:FfsyKMAbcFdioVECfB2KxYB4xJFpmd/GDCK5biOIzg8").digest.count == 32)
        #expect(try FingerprintQuery("FfsyKMAbcFdioVECfB2KxYB4xJFpmd/GDCK5biOIzg8=").digest.count == 32)
    }

    @Test(arguments: [
        "", "hello", "e0:e6:97", "e0:e6:97:bf:76:55:67:90:59:c0:98:06:ce:ff:d9:4c:c3:3f:73:a", "SHA256:abc", "MD5:zz",
    ])
    func rejectsNonFingerprints(_ text: String) {
        #expect(throws: KeyFormatsError.unrecognizedFormat("")) { try FingerprintQuery(text) }
    }

    @Test func matchesUnderTheRightRule() throws {
        let key = try #require(try KeyMaterial(text: FingerprintVectorTests.rsaVector).privateKey)
        let created = try FingerprintQuery("e0:e6:97:bf:76:55:67:90:59:c0:98:06:ce:ff:d9:4c:c3:3f:73:a0")
        #expect(created.matchingRules(publicKey: key.publicKey, privateKey: key) == [.awsCreated])
        #expect(created.matchingRules(publicKey: key.publicKey, privateKey: nil).isEmpty)
        let imported = try FingerprintQuery("da:17:fb:a9:23:54:c4:4f:f8:09:39:9a:48:01:f0:71")
        #expect(imported.matchingRules(publicKey: key.publicKey, privateKey: nil) == [.awsImported])
        let md5 = try FingerprintQuery("08:67:ae:c0:6c:2a:ac:c0:17:1f:3b:1b:da:07:c1:54")
        #expect(md5.matchingRules(publicKey: key.publicKey, privateKey: nil) == [.openSSHMD5])
    }
}
