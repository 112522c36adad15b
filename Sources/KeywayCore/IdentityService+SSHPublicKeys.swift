import Foundation
import KeyFormats

extension IdentityService {
    /// Uploads an SSH public key for a user: RSA of 2,048 to 16,384 bits, as an `ssh-rsa` line or a PEM public key.
    public func uploadSSHPublicKey(
        by principal: Principal,
        userName: String,
        body: String
    ) async throws -> UserSSHPublicKey {
        // IAM's limit on `SSHPublicKeyBody` (docs/aws-behaviour.md), before any parsing.
        guard body.utf8.count <= 16_384 || body.unicodeScalars.count <= 16_384 else {
            throw KeywayError(
                .invalidParameterValue,
                subject: "SSHPublicKeyBody",
                detail: "must have length less than or equal to 16384"
            )
        }
        let user = try await self.sshKeyOwner(principal, userName: userName, action: "iam:UploadSSHPublicKey")
        let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
        let isLine = trimmed.hasPrefix("ssh-") || trimmed.hasPrefix("ecdsa-") || trimmed.hasPrefix("sk-")
        let isPEM = trimmed.hasPrefix("-----BEGIN PUBLIC KEY-----")
        guard isLine || isPEM else { throw KeywayError(.unrecognizedPublicKeyEncoding, subject: userName) }
        let material: KeyMaterial
        do {
            // Public formats only: private key text after a public-looking prefix is refused unread.
            material = try KeyMaterial(publicKeyText: trimmed)
        } catch let error as KeyFormatsError where error.code == .unsupportedKeyType {
            // KeyFormats' wording suggests Ed25519, which IAM refuses too.
            throw KeywayError(.invalidSSHPublicKey, subject: userName, detail: "Only RSA keys are accepted.")
        } catch {
            throw KeywayError(
                .invalidSSHPublicKey,
                subject: userName,
                detail: (error as? KeyFormatsError)?.message ?? "The key cannot be read."
            )
        }
        guard [.openSSHPublicKey, .spkiPEM].contains(material.format), material.publicKey.keyType == .rsa else {
            throw KeywayError(.invalidSSHPublicKey, subject: userName, detail: "Only RSA keys are accepted.")
        }
        guard material.publicKey.bitCount >= 2048 else {
            throw KeywayError(.invalidSSHPublicKey, subject: userName, detail: "RSA keys must have at least 2048 bits.")
        }
        var generator = SystemRandomNumberGenerator()
        let key = UserSSHPublicKey(
            account: principal.account,
            userName: user.name,
            id: SSHPublicKeyID.random(using: &generator),
            body: material.publicKey.openSSHRepresentation(),
            fingerprint: String(material.publicKey.fingerprints.md5.dropFirst(4)),
            status: .active,
            uploadDate: self.environment.now().truncatedToSeconds
        )
        try await self.store.insertSSHPublicKey(key, limit: UserSSHPublicKey.limitPerUser)
        return key
    }

    /// A user's SSH public key by ID.
    public func sshPublicKey(by principal: Principal, userName: String, id: String) async throws -> UserSSHPublicKey {
        let user = try await self.sshKeyOwner(principal, userName: userName, action: "iam:GetSSHPublicKey")
        guard
            let key = try await self.store.sshPublicKeys(in: principal.account, userName: user.name).first(where: {
                $0.id.rawValue == id
            })
        else {
            throw KeywayError(.sshPublicKeyNotFound, subject: id)
        }
        return key
    }

    public func listSSHPublicKeys(
        by principal: Principal,
        userName: String?,
        marker: String?,
        maxItems: Int?
    ) async throws -> Page<UserSSHPublicKey> {
        guard let name = userName ?? principal.user?.name else {
            // The root has no SSH keys of its own; AWS lists none.
            return try Self.page([UserSSHPublicKey](), marker: marker, maxItems: maxItems, key: \.id.rawValue)
        }
        let user = try await self.sshKeyOwner(principal, userName: name, action: "iam:ListSSHPublicKeys")
        let keys = try await self.store.sshPublicKeys(in: principal.account, userName: user.name)
        return try Self.page(keys, marker: marker, maxItems: maxItems, key: \.id.rawValue)
    }

    public func updateSSHPublicKey(
        by principal: Principal,
        userName: String,
        id: String,
        status: AccessKey.Status
    ) async throws {
        let user = try await self.sshKeyOwner(principal, userName: userName, action: "iam:UpdateSSHPublicKey")
        guard let keyID = SSHPublicKeyID(rawValue: id) else { throw KeywayError(.sshPublicKeyNotFound, subject: id) }
        try await self.store.updateSSHPublicKey(in: principal.account, userName: user.name, id: keyID, status: status)
    }

    public func deleteSSHPublicKey(by principal: Principal, userName: String, id: String) async throws {
        let user = try await self.sshKeyOwner(principal, userName: userName, action: "iam:DeleteSSHPublicKey")
        guard let keyID = SSHPublicKeyID(rawValue: id) else { throw KeywayError(.sshPublicKeyNotFound, subject: id) }
        try await self.store.deleteSSHPublicKey(in: principal.account, userName: user.name, id: keyID)
    }

    /// The user whose SSH keys an action is about; only the root may manage them until policies exist.
    private func sshKeyOwner(_ principal: Principal, userName: String, action: String) async throws -> IAMUser {
        try Self.authorize(
            principal,
            action: action,
            resource: "arn:aws:iam::\(principal.account.rawValue):user/\(userName)"
        )
        guard let user = try await self.store.user(in: principal.account, named: userName) else {
            throw KeywayError(.userNotFound, subject: userName)
        }
        return user
    }
}
