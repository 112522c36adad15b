/// Where a regional resource lives: an account and a region. Every key pair operation happens in one scope, and
/// no operation can see or change another scope's resources.
public struct Scope: Hashable, Sendable, CustomStringConvertible {
    public let account: AccountID
    public let region: Region

    public init(account: AccountID, region: Region) {
        self.account = account
        self.region = region
    }

    public var description: String { "\(self.account)/\(self.region)" }
}
