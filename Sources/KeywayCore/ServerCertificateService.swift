import Foundation
import KeyFormats

/// IAM server certificates: upload with AWS's checks (PEM X.509, the key matches, valid now, the chain links in
/// order), then get, list, rename or move, and delete. Only an account's root may manage them.
public struct ServerCertificateService: Sendable {
    public let store: any ServerCertificateStore
    public let now: @Sendable () -> Date
    public let newID: @Sendable () -> ServerCertificateID
    public let limitPerAccount: Int

    public init(
        store: any ServerCertificateStore,
        now: @escaping @Sendable () -> Date = { Date() },
        newID: @escaping @Sendable () -> ServerCertificateID = {
            var generator = SystemRandomNumberGenerator()
            return ServerCertificateID.random(using: &generator)
        },
        limitPerAccount: Int = ServerCertificate.defaultLimitPerAccount
    ) {
        self.store = store
        self.now = now
        self.newID = newID
        self.limitPerAccount = limitPerAccount
    }

    /// AWS's text for a body that is not PEM X.509.
    static let unparseable = "Unable to parse certificate. Please ensure the certificate is in PEM format."

    /// Uploads a certificate after every check AWS makes; the private key is stored sealed and never returned.
    /// IAM's longest `CertificateBody` and `PrivateKey`, in characters.
    public static let maximumBodyLength = 16_384
    /// IAM's longest `CertificateChain`, in characters.
    public static let maximumChainLength = 2_097_152

    public func upload(
        by principal: Principal,
        name: String,
        path: String?,
        body: String,
        privateKey: String,
        chain: String?,
        tags: [Tag]
    ) async throws -> ServerCertificate {
        // IAM's length limits (docs/aws-behaviour.md), checked before anything is parsed: the work that follows
        // grows with the input.
        for (parameter, value, limit) in [
            ("CertificateBody", body, Self.maximumBodyLength), ("PrivateKey", privateKey, Self.maximumBodyLength),
            ("CertificateChain", chain ?? "", Self.maximumChainLength),
        ] where value.utf8.count > limit && value.unicodeScalars.count > limit {
            throw KeywayError(
                .invalidParameterValue,
                subject: parameter,
                detail: "must have length less than or equal to \(limit)"
            )
        }
        try Self.validateName(name, parameter: "ServerCertificateName")
        let path = path ?? "/"
        try IAMUser.validatePath(path)
        let arn = "arn:aws:iam::\(principal.account.rawValue):server-certificate\(path)\(name)"
        try IdentityService.authorize(principal, action: "iam:UploadServerCertificate", resource: arn)
        guard tags.count <= Tag.maximumPerResource else {
            throw KeywayError(
                .invalidParameterValue,
                subject: "tags",
                detail: "must have length less than or equal to 50"
            )
        }
        // Server certificate tag keys are case-sensitive (IAM User Guide, id_tags).
        try Tag.validateIAM(tags, keysIgnoreCase: false, resource: "server certificate")

        let certificate: X509Certificate
        do {
            certificate = try X509Certificate(pemRepresentation: body)
        } catch {
            throw KeywayError(.malformedCertificate, subject: name, detail: Self.unparseable)
        }
        try Self.checkPrivateKey(privateKey, certificate: body, name: name)
        let now = self.now()
        // AWS uses MalformedCertificate here too (aws-sdk-go#2586); its wording is unknown, so this one says why.
        guard now >= certificate.notValidBefore else {
            throw KeywayError(
                .malformedCertificate,
                subject: name,
                detail: "The certificate is not valid yet: its validity starts in the future."
            )
        }
        guard now <= certificate.notValidAfter else {
            throw KeywayError(.malformedCertificate, subject: name, detail: "The certificate has expired.")
        }
        if let chain, !chain.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            try Self.checkChain(chain, leaf: certificate, name: name)
        }
        let stored = ServerCertificate(
            account: principal.account,
            name: name,
            path: path,
            id: self.newID(),
            uploadDate: now.truncatedToSeconds,
            expiration: certificate.notValidAfter,
            body: body.trimmingCharacters(in: .whitespacesAndNewlines),
            chain: chain.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 },
            tags: tags
        )
        try await self.store.insertCertificate(stored, privateKey: privateKey, limit: self.limitPerAccount)
        return stored
    }

    public func get(by principal: Principal, name: String) async throws -> ServerCertificate {
        try IdentityService.authorize(
            principal,
            action: "iam:GetServerCertificate",
            resource: self.arn(principal, name)
        )
        guard let certificate = try await self.store.certificate(in: principal.account, named: name) else {
            throw KeywayError(.certificateNotFound, subject: name)
        }
        return certificate
    }

    public func list(
        by principal: Principal,
        pathPrefix: String?,
        marker: String?,
        maxItems: Int?
    ) async throws -> IdentityService.Page<ServerCertificate> {
        if let pathPrefix { try IAMUser.validatePathPrefix(pathPrefix) }
        try IdentityService.authorize(
            principal,
            action: "iam:ListServerCertificates",
            resource: "arn:aws:iam::\(principal.account.rawValue):server-certificate/"
        )
        let all = try await self.store.certificates(in: principal.account, pathPrefix: pathPrefix ?? "/")
        return try IdentityService.page(all, marker: marker, maxItems: maxItems, key: \.name)
    }

    public func update(by principal: Principal, name: String, newName: String?, newPath: String?) async throws {
        if let newName { try Self.validateName(newName, parameter: "NewServerCertificateName") }
        if let newPath { try IAMUser.validatePath(newPath, parameter: "NewPath") }
        try IdentityService.authorize(
            principal,
            action: "iam:UpdateServerCertificate",
            resource: self.arn(principal, name)
        )
        try await self.store.updateCertificate(in: principal.account, named: name, newName: newName, newPath: newPath)
    }

    public func delete(by principal: Principal, name: String) async throws {
        try IdentityService.authorize(
            principal,
            action: "iam:DeleteServerCertificate",
            resource: self.arn(principal, name)
        )
        try await self.store.deleteCertificate(in: principal.account, named: name)
    }

    private func arn(_ principal: Principal, _ name: String) -> String {
        "arn:aws:iam::\(principal.account.rawValue):server-certificate/\(name)"
    }

    /// Certificate names: 1 to 128 characters of `[\w+=,.@-]` (`serverCertificateNameType`). Lookups take any name
    /// and find nothing.
    static func validateName(_ name: String, parameter: String) throws(KeywayError) {
        try IAMUser.validateName(name, parameter: parameter, maximumLength: 128)
    }

    private static func checkPrivateKey(_ privateKey: String, certificate: String, name: String) throws {
        let matches: Bool
        do {
            matches = try CertificateKeyCheck.privateKey(privateKey, matchesCertificate: certificate)
        } catch let error as KeyFormatsError where error.code == .passphraseProtected {
            throw KeywayError(
                .malformedCertificate,
                subject: name,
                detail: "The private key is encrypted; upload it unencrypted."
            )
        } catch let error as KeyFormatsError where error.code == .invalidCertificate {
            throw KeywayError(.malformedCertificate, subject: name, detail: Self.unparseable)
        } catch {
            throw KeywayError(
                .malformedCertificate,
                subject: name,
                detail:
                    "Unable to parse private key. Please ensure the private key is an unencrypted PEM RSA or EC key."
            )
        }
        guard matches else { throw KeywayError(.keyPairMismatch, subject: name) }
    }

    /// The chain must start with the leaf's issuer and go upward, each certificate signing the one before.
    /// The failing index is the chain position that is wrong; -1 when no element of the chain signed the leaf.
    private static func checkChain(_ chainPEM: String, leaf: X509Certificate, name: String) throws(KeywayError) {
        let chain: [X509Certificate]
        do {
            chain = try X509Certificate.chain(pemRepresentation: chainPEM)
        } catch {
            throw KeywayError(
                .malformedCertificate,
                subject: name,
                detail: "Unable to parse certificate chain. Please ensure the chain is in PEM format."
            )
        }
        func invalid(_ index: Int) -> KeywayError {
            KeywayError(
                .malformedCertificate,
                subject: name,
                detail:
                    "Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, followed by any intermediaries in order. The index within the chain of the invalid certificate is: \(index)"
            )
        }
        guard leaf.isIssued(by: chain[0]) else {
            throw invalid(chain.contains { leaf.isIssued(by: $0) } ? 0 : -1)
        }
        for index in chain.indices.dropLast() where !chain[index].isIssued(by: chain[index + 1]) {
            throw invalid(index + 1)
        }
    }
}
