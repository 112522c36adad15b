/// Persistence of instances, and the allocation of their loopback addresses.
public protocol InstanceStore: Sendable {
    /// Stores new instances, all or nothing, giving each the next free loopback address in 127.1.0.0–127.254.255.254.
    /// Returns them with their addresses.
    func insertInstances(_ instances: [Instance]) async throws -> [Instance]

    /// The instances of a scope, ordered by launch time and ID.
    func instances(in scope: Scope) async throws -> [Instance]

    /// An instance by ID in any scope; for the metadata service and `authorized-keys`, which know no account.
    func instance(id: InstanceID) async throws -> Instance?

    /// The instance that holds a loopback address, if any.
    func instance(privateIP: String) async throws -> Instance?

    /// Every instance of every scope; for the metadata listener at start-up.
    func allInstances() async throws -> [Instance]

    /// Replaces a stored instance (same ID and scope).
    func updateInstance(_ instance: Instance) async throws

    /// Deletes everything (`--dev` mode's reset).
    func removeAllInstances() async throws
}

/// An ``InstanceStore`` held in memory, for fast tests.
public actor InMemoryInstanceStore: InstanceStore {
    private var byID: [InstanceID: Instance] = [:]
    private var nextAddress = 0

    public init() {}

    public func insertInstances(_ instances: [Instance]) throws -> [Instance] {
        var stored: [Instance] = []
        for var instance in instances {
            instance.privateIP = try Instance.loopbackAddress(index: self.nextAddress)
            self.nextAddress += 1
            self.byID[instance.id] = instance
            stored.append(instance)
        }
        return stored
    }

    public func instances(in scope: Scope) -> [Instance] {
        self.byID.values.filter { $0.scope == scope }.sorted { ($0.launchTime, $0.id) < ($1.launchTime, $1.id) }
    }

    public func instance(id: InstanceID) -> Instance? { self.byID[id] }

    public func allInstances() -> [Instance] { Array(self.byID.values) }

    public func instance(privateIP: String) -> Instance? { self.byID.values.first { $0.privateIP == privateIP } }

    public func updateInstance(_ instance: Instance) { self.byID[instance.id] = instance }

    public func removeAllInstances() {
        self.byID.removeAll()
        self.nextAddress = 0
    }
}
