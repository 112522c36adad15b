import Foundation

/// An IAM server certificate: the certificate and chain as uploaded, and its metadata. The private key is kept
/// apart, sealed, and never returned.
public struct ServerCertificate: Hashable, Sendable {
    public var account: AccountID
    public var name: String
    public var path: String
    public var id: ServerCertificateID
    public var uploadDate: Date
    /// The certificate's `notAfter`.
    public var expiration: Date
    public var body: String
    public var chain: String?
    public var tags: [Tag]

    public init(
        account: AccountID,
        name: String,
        path: String,
        id: ServerCertificateID,
        uploadDate: Date,
        expiration: Date,
        body: String,
        chain: String?,
        tags: [Tag]
    ) {
        self.account = account
        self.name = name
        self.path = path
        self.id = id
        self.uploadDate = uploadDate
        self.expiration = expiration
        self.body = body
        self.chain = chain
        self.tags = tags
    }

    /// `arn:aws:iam::<account>:server-certificate<path><name>`.
    public var arn: String { "arn:aws:iam::\(self.account.rawValue):server-certificate\(self.path)\(self.name)" }

    /// Server certificates an account may hold (IAM's default quota).
    public static let defaultLimitPerAccount = 20
}

/// An IAM user's SSH public key (the keys CodeCommit and EC2 Instance Connect-style tools read).
public struct UserSSHPublicKey: Hashable, Sendable {
    public var account: AccountID
    public var userName: String
    public var id: SSHPublicKeyID
    /// The `ssh-rsa` line, without a comment.
    public var body: String
    /// MD5 of the SSH blob in colon hex, as `ssh-keygen -l -E md5` prints it without `MD5:`.
    public var fingerprint: String
    public var status: AccessKey.Status
    public var uploadDate: Date

    public init(
        account: AccountID,
        userName: String,
        id: SSHPublicKeyID,
        body: String,
        fingerprint: String,
        status: AccessKey.Status,
        uploadDate: Date
    ) {
        self.account = account
        self.userName = userName
        self.id = id
        self.body = body
        self.fingerprint = fingerprint
        self.status = status
        self.uploadDate = uploadDate
    }

    /// SSH public keys a user may have (IAM's quota).
    public static let limitPerUser = 5
}
