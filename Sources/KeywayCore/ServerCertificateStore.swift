/// Persistence of IAM server certificates; private keys are handed over in clear and kept encrypted at rest.
public protocol ServerCertificateStore: Sendable {
    /// Stores a certificate. Throws ``KeywayError/Code/certificateDuplicate`` or
    /// ``KeywayError/Code/certificateLimitExceeded``.
    func insertCertificate(_ certificate: ServerCertificate, privateKey: String, limit: Int) async throws

    /// The certificate with this name in the account, matched regardless of case.
    func certificate(in account: AccountID, named name: String) async throws -> ServerCertificate?

    /// The account's certificates whose path starts with `pathPrefix`, ordered by name.
    func certificates(in account: AccountID, pathPrefix: String) async throws -> [ServerCertificate]

    /// Renames or moves a certificate. Throws ``KeywayError/Code/certificateNotFound`` or
    /// ``KeywayError/Code/certificateDuplicate``.
    func updateCertificate(in account: AccountID, named name: String, newName: String?, newPath: String?) async throws

    /// Deletes a certificate and its private key. Throws ``KeywayError/Code/certificateNotFound``.
    func deleteCertificate(in account: AccountID, named name: String) async throws

    /// Deletes everything (`--dev` mode's reset).
    func removeAllCertificates() async throws
}
