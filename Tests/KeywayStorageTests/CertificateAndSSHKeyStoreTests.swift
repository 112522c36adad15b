import Crypto
import Foundation
import KeywayCore
import KeywayStorage
import Testing

@Suite struct CertificateAndSSHKeyStoreTests {
    static let account = AccountID(rawValue: "111111111111")!

    static func certificate(_ name: String) -> ServerCertificate {
        var generator = SystemRandomNumberGenerator()
        return ServerCertificate(
            account: Self.account,
            name: name,
            path: "/",
            id: ServerCertificateID.random(using: &generator),
            uploadDate: Date(timeIntervalSince1970: 1_700_000_000),
            expiration: Date(timeIntervalSince1970: 1_900_000_000),
            body: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
            chain: nil,
            tags: [Tag(key: "k", value: "v")]
        )
    }

    @Test(arguments: IdentityStoreContractTests.Kind.allCases)
    func certificatesRoundTrip(_ kind: IdentityStoreContractTests.Kind) async throws {
        let directory = temporaryDirectory()
        let store: any ServerCertificateStore =
            kind == .memory
            ? InMemoryServerCertificateStore()
            : SQLiteServerCertificateStore(
                database: try SQLiteDatabase(directory: directory),
                sealer: SecretSealer(key: SymmetricKey(size: .bits256))
            )
        let secretKey = "-----BEGIN PRIVATE KEY-----\nTOPSECRETKEYMATERIAL\n-----END PRIVATE KEY-----"
        let certificate = Self.certificate("Web")
        try await store.insertCertificate(certificate, privateKey: secretKey, limit: 5)
        #expect(try await store.certificate(in: Self.account, named: "web") == certificate)
        await #expect(throws: KeywayError(.certificateDuplicate, subject: "WEB")) {
            try await store.insertCertificate(Self.certificate("WEB"), privateKey: secretKey, limit: 5)
        }
        try await store.updateCertificate(in: Self.account, named: "web", newName: "site", newPath: "/a/")
        #expect(try await store.certificates(in: Self.account, pathPrefix: "/a/").map(\.name) == ["site"])
        if kind == .sqlite {
            for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
                let data = try Data(contentsOf: directory.appendingPathComponent(file))
                #expect(data.range(of: Data("TOPSECRETKEYMATERIAL".utf8)) == nil, "\(file)")
            }
        }
        try await store.deleteCertificate(in: Self.account, named: "SITE")
        await #expect(throws: KeywayError(.certificateNotFound, subject: "site")) {
            try await store.deleteCertificate(in: Self.account, named: "site")
        }
    }

    @Test(arguments: IdentityStoreContractTests.Kind.allCases)
    func sshKeysBlockUserDeletion(_ kind: IdentityStoreContractTests.Kind) async throws {
        let store = try IdentityStoreContractTests.makeStore(kind)
        try await store.insertUser(IdentityStoreContractTests.user("alice"), limit: 10)
        var generator = SystemRandomNumberGenerator()
        let key = UserSSHPublicKey(
            account: Self.account,
            userName: "alice",
            id: SSHPublicKeyID.random(using: &generator),
            body: "ssh-rsa AAAA",
            fingerprint: "00:11",
            status: .active,
            uploadDate: Date(timeIntervalSince1970: 1_700_000_000)
        )
        try await store.insertSSHPublicKey(key, limit: 5)
        var again = key
        again.id = SSHPublicKeyID.random(using: &generator)
        await #expect(throws: KeywayError(.duplicateSSHPublicKey, subject: "alice")) {
            try await store.insertSSHPublicKey(again, limit: 5)
        }
        await #expect(throws: KeywayError(.deleteConflict, subject: "alice")) {
            try await store.deleteUser(in: Self.account, named: "alice")
        }
        try await store.updateSSHPublicKey(in: Self.account, userName: "alice", id: key.id, status: .inactive)
        #expect(try await store.sshPublicKeys(in: Self.account, userName: "alice").map(\.status) == [.inactive])
        try await store.deleteSSHPublicKey(in: Self.account, userName: "alice", id: key.id)
        try await store.deleteUser(in: Self.account, named: "alice")
    }
}
