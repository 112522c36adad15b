import Foundation
import KeywayCore
import Testing

/// Upload rules with the openssl-made certificates of `KeyFormatsTests/Fixtures/certificates` (valid until 2036).
@Suite struct ServerCertificateServiceTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../KeyFormatsTests/Fixtures/certificates")
    static let root = Principal(account: AccountID(rawValue: "111111111111")!, user: nil, accessKeyID: nil)

    static func text(_ name: String) throws -> String {
        try String(contentsOf: Self.fixtures.appendingPathComponent(name), encoding: .utf8)
    }

    static func service(now: Date = Date(), limit: Int = 20) -> ServerCertificateService {
        ServerCertificateService(store: InMemoryServerCertificateStore(), now: { now }, limitPerAccount: limit)
    }

    @Test(arguments: ["rsa2048", "p256", "p384"])
    func matchingKeyUploadsAndMismatchIsRefused(_ label: String) async throws {
        let service = Self.service()
        let body = try Self.text("\(label).cert.pem")
        let uploaded = try await service.upload(
            by: Self.root,
            name: "cert-\(label)",
            path: "/web/",
            body: body,
            privateKey: try Self.text("\(label).key.pkcs8.pem"),
            chain: nil,
            tags: [Tag(key: "env", value: "test")]
        )
        #expect(uploaded.arn == "arn:aws:iam::111111111111:server-certificate/web/cert-\(label)")
        #expect(uploaded.id.rawValue.hasPrefix("ASCA") && uploaded.id.rawValue.count == 21)
        #expect(uploaded.expiration > Date())
        await #expect(throws: KeywayError(.keyPairMismatch, subject: "other")) {
            try await service.upload(
                by: Self.root,
                name: "other",
                path: nil,
                body: body,
                privateKey: try Self.text("\(label).other.key.pkcs8.pem"),
                chain: nil,
                tags: []
            )
        }
    }

    @Test func malformedInputs() async throws {
        let service = Self.service()
        let body = try Self.text("rsa2048.cert.pem")
        let key = try Self.text("rsa2048.key.pkcs8.pem")
        for (certificate, privateKey) in [
            ("garbage", key), (body, "garbage"), (body, try Self.text("rsa2048.key.encrypted.pem")),
        ] {
            await #expect(throws: KeywayError(.malformedCertificate, subject: "m")) {
                try await service.upload(
                    by: Self.root,
                    name: "m",
                    path: nil,
                    body: certificate,
                    privateKey: privateKey,
                    chain: nil,
                    tags: []
                )
            }
        }
        // A self-signed certificate is not its own chain problem, but an unrelated chain is: index -1.
        do {
            _ = try await service.upload(
                by: Self.root,
                name: "m",
                path: nil,
                body: body,
                privateKey: key,
                chain: try Self.text("p256.cert.pem"),
                tags: []
            )
            Issue.record("an unrelated chain was accepted")
        } catch let error as KeywayError {
            #expect(error.code == .malformedCertificate)
            #expect(error.detail.hasSuffix("The index within the chain of the invalid certificate is: -1"))
        }
    }

    @Test func validityPeriodIsChecked() async throws {
        let body = try Self.text("rsa2048.cert.pem")
        let key = try Self.text("rsa2048.key.pkcs8.pem")
        for date in [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 4_102_444_800)] {  // 1970, 2100
            await #expect(throws: KeywayError(.malformedCertificate, subject: "v")) {
                try await Self.service(now: date).upload(
                    by: Self.root,
                    name: "v",
                    path: nil,
                    body: body,
                    privateKey: key,
                    chain: nil,
                    tags: []
                )
            }
        }
    }

    @Test func namesLimitsRenamesAndDeletes() async throws {
        let service = Self.service(limit: 2)
        let body = try Self.text("rsa2048.cert.pem")
        let key = try Self.text("rsa2048.key.pkcs1.pem")
        _ = try await service.upload(
            by: Self.root,
            name: "One",
            path: nil,
            body: body,
            privateKey: key,
            chain: nil,
            tags: []
        )
        await #expect(throws: KeywayError(.certificateDuplicate, subject: "one")) {
            try await service.upload(
                by: Self.root,
                name: "one",
                path: nil,
                body: body,
                privateKey: key,
                chain: nil,
                tags: []
            )
        }
        _ = try await service.upload(
            by: Self.root,
            name: "two",
            path: nil,
            body: body,
            privateKey: key,
            chain: nil,
            tags: []
        )
        await #expect(throws: KeywayError(.certificateLimitExceeded, subject: "2")) {
            try await service.upload(
                by: Self.root,
                name: "three",
                path: nil,
                body: body,
                privateKey: key,
                chain: nil,
                tags: []
            )
        }
        await #expect(throws: KeywayError(.certificateDuplicate, subject: "two")) {
            try await service.update(by: Self.root, name: "One", newName: "two", newPath: nil)
        }
        try await service.update(by: Self.root, name: "one", newName: "renamed", newPath: "/moved/")
        #expect(
            try await service.get(by: Self.root, name: "renamed").arn.hasSuffix(":server-certificate/moved/renamed")
        )
        try await service.delete(by: Self.root, name: "renamed")
        await #expect(throws: KeywayError(.certificateNotFound, subject: "renamed")) {
            try await service.get(by: Self.root, name: "renamed")
        }
        let user = IAMUser(
            account: Self.root.account,
            name: "u",
            path: "/",
            id: UserID(rawValue: "AIDAAAAAAAAAAAAAAAAAA")!,
            createTime: Date()
        )
        await #expect(throws: KeywayError.self) {
            try await service.list(
                by: Principal(account: Self.root.account, user: user, accessKeyID: nil),
                pathPrefix: nil,
                marker: nil,
                maxItems: nil
            )
        }
    }
}
