/// What ``InstanceStore/launchInstances(_:in:clientToken:limit:)`` did.
public enum LaunchResult: Sendable, Equatable {
    /// The instances were stored, with their addresses.
    case launched([Instance])
    /// The client token had launched these instances before; nothing was stored.
    case existing([Instance])
}

/// Persistence of instances, and the allocation of their loopback addresses.
///
/// Every change is one transaction, so concurrent requests cannot undo each other (a start racing an audited
/// recovery) or launch twice for one client token (issue 13).
public protocol InstanceStore: Sendable {
    /// Stores new instances of one scope, all or nothing, giving each the next free loopback address in
    /// 127.1.0.0–127.254.255.254, in one transaction that also:
    /// - answers ``LaunchResult/existing(_:)`` with the instances launched before with `clientToken`, if any;
    /// - refuses with ``KeywayError/Code/instanceLimitExceeded`` when the scope would hold more than `limit`
    ///   instances that are not terminated (the subject says how many more fit).
    func launchInstances(
        _ instances: [Instance],
        in scope: Scope,
        clientToken: String?,
        limit: Int
    ) async throws -> LaunchResult

    /// The instances of a scope, ordered by launch time and ID.
    func instances(in scope: Scope) async throws -> [Instance]

    /// An instance by ID in any scope; for the metadata service and `authorized-keys`, which know no account.
    func instance(id: InstanceID) async throws -> Instance?

    /// The instance that holds a loopback address, if any.
    func instance(privateIP: String) async throws -> Instance?

    /// Every instance of every scope; for the metadata listener at start-up.
    func allInstances() async throws -> [Instance]

    /// Reads the instances with these IDs (in `scope`, when one is given), applies `change` to each in order, and
    /// writes them back, in one transaction; an unknown ID, or an error thrown by `change`, leaves everything as it
    /// was (``KeywayError/Code/instanceNotFound`` for the former). Returns each instance before and after, in the
    /// order of `ids`.
    func updateInstances(
        ids: [InstanceID],
        in scope: Scope?,
        _ change: @Sendable (inout Instance) throws -> Void
    ) async throws -> [(before: Instance, after: Instance)]

    /// Deletes everything (`--dev` mode's reset).
    func removeAllInstances() async throws
}

/// An ``InstanceStore`` held in memory, for fast tests.
public actor InMemoryInstanceStore: InstanceStore {
    private var byID: [InstanceID: Instance] = [:]
    private var nextAddress = 0

    public init() {}

    public func launchInstances(
        _ instances: [Instance],
        in scope: Scope,
        clientToken: String?,
        limit: Int
    ) throws -> LaunchResult {
        if let clientToken {
            let earlier = self.instances(in: scope).filter { $0.clientToken == clientToken }
            if !earlier.isEmpty { return .existing(earlier) }
        }
        let active = self.byID.values.count { $0.scope == scope && $0.state != .terminated }
        try Instance.checkQuota(active: active, adding: instances.count, limit: limit)
        var stored: [Instance] = []
        for var instance in instances {
            instance.privateIP = try Instance.loopbackAddress(index: self.nextAddress)
            self.nextAddress += 1
            self.byID[instance.id] = instance
            stored.append(instance)
        }
        return .launched(stored)
    }

    public func instances(in scope: Scope) -> [Instance] {
        self.byID.values.filter { $0.scope == scope }.sorted { ($0.launchTime, $0.id) < ($1.launchTime, $1.id) }
    }

    public func instance(id: InstanceID) -> Instance? { self.byID[id] }

    public func allInstances() -> [Instance] { Array(self.byID.values) }

    public func instance(privateIP: String) -> Instance? { self.byID.values.first { $0.privateIP == privateIP } }

    public func updateInstances(
        ids: [InstanceID],
        in scope: Scope?,
        _ change: @Sendable (inout Instance) throws -> Void
    ) throws -> [(before: Instance, after: Instance)] {
        var changed: [(before: Instance, after: Instance)] = []
        for id in ids {
            guard let before = changed.last(where: { $0.after.id == id })?.after ?? self.byID[id],
                scope == nil || before.scope == scope
            else {
                throw KeywayError(.instanceNotFound, subject: id.rawValue)
            }
            var after = before
            try change(&after)
            changed.append((before, after))
        }
        for (_, instance) in changed { self.byID[instance.id] = instance }
        return changed
    }

    public func removeAllInstances() {
        self.byID.removeAll()
        self.nextAddress = 0
    }
}
