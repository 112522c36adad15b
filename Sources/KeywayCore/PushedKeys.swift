import Foundation

/// Keys pushed with EC2 Instance Connect's SendSSHPublicKey: each lets one OS user in for 60 seconds.
///
/// Held in memory only, as AWS holds them briefly; the clock is injectable so tests need not wait a minute.
public actor PushedKeys {
    private struct Entry {
        var user: String
        var key: String
        var expires: Date
    }

    /// How long a pushed key is accepted.
    public static let lifetime: TimeInterval = 60

    private var entries: [InstanceID: [Entry]] = [:]
    private let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    public func push(_ key: String, user: String, instance: InstanceID) {
        let now = self.now()
        var list = (self.entries[instance] ?? []).filter { $0.expires > now }
        list.append(Entry(user: user, key: key, expires: now.addingTimeInterval(Self.lifetime)))
        self.entries[instance] = list
    }

    /// The keys pushed for `user` that are still valid.
    public func keys(for instance: InstanceID, user: String) -> [String] {
        let now = self.now()
        return (self.entries[instance] ?? []).filter { $0.user == user && $0.expires > now }.map(\.key)
    }

    public func removeAll() {
        self.entries.removeAll()
    }
}
