/// A ``ServerCertificateStore`` held in memory, for fast tests.
public actor InMemoryServerCertificateStore: ServerCertificateStore {
    private var certificates: [AccountID: [String: ServerCertificate]] = [:]

    public init() {}

    public func insertCertificate(_ certificate: ServerCertificate, privateKey: String, limit: Int) throws {
        var owned = self.certificates[certificate.account, default: [:]]
        guard owned[certificate.name.lowercased()] == nil else {
            throw KeywayError(.certificateDuplicate, subject: certificate.name)
        }
        guard owned.count < limit else { throw KeywayError(.certificateLimitExceeded, subject: String(limit)) }
        owned[certificate.name.lowercased()] = certificate
        self.certificates[certificate.account] = owned
    }

    public func certificate(in account: AccountID, named name: String) -> ServerCertificate? {
        self.certificates[account]?[name.lowercased()]
    }

    public func certificates(in account: AccountID, pathPrefix: String) -> [ServerCertificate] {
        (self.certificates[account] ?? [:]).values.filter { $0.path.hasPrefix(pathPrefix) }.sorted { $0.name < $1.name }
    }

    public func updateCertificate(in account: AccountID, named name: String, newName: String?, newPath: String?) throws
    {
        guard var certificate = self.certificates[account]?[name.lowercased()] else {
            throw KeywayError(.certificateNotFound, subject: name)
        }
        if let newName, newName.lowercased() != name.lowercased(),
            self.certificates[account]?[newName.lowercased()] != nil
        {
            throw KeywayError(.certificateDuplicate, subject: newName)
        }
        self.certificates[account]?[name.lowercased()] = nil
        certificate.name = newName ?? certificate.name
        certificate.path = newPath ?? certificate.path
        self.certificates[account]?[certificate.name.lowercased()] = certificate
    }

    public func deleteCertificate(in account: AccountID, named name: String) throws {
        guard self.certificates[account]?.removeValue(forKey: name.lowercased()) != nil else {
            throw KeywayError(.certificateNotFound, subject: name)
        }
    }

    public func removeAllCertificates() {
        self.certificates.removeAll()
    }
}
