import Foundation
import KeyFormats

/// EC2 instances as records: launch with a key pair, the life cycle, Windows passwords encrypted to the launch key,
/// the keys an SSH server may let in, and the audited recovery that replaces them.
public struct InstanceService: Sendable {
    public let store: any InstanceStore
    public let keyPairs: any KeyPairStore
    public let pushedKeys: PushedKeys
    public let now: @Sendable () -> Date
    /// Instances (not terminated) an account may have in one region.
    public let limitPerRegion: Int
    /// Called after instances are stored or change state, so the metadata listener can follow them.
    public let onChange: @Sendable ([Instance]) async -> Void

    public init(
        store: any InstanceStore,
        keyPairs: any KeyPairStore,
        pushedKeys: PushedKeys,
        now: @escaping @Sendable () -> Date = { Date() },
        limitPerRegion: Int = Self.defaultLimitPerRegion,
        onChange: @escaping @Sendable ([Instance]) async -> Void = { _ in }
    ) {
        self.store = store
        self.keyPairs = keyPairs
        self.pushedKeys = pushedKeys
        self.now = now
        self.limitPerRegion = limitPerRegion
        self.onChange = onChange
    }

    /// Most instances one RunInstances call may launch.
    public static let maximumPerCall = 100
    /// The default instance quota of an account in a region. Every running instance costs nothing but a row (the
    /// metadata service shares one socket), so the bound is about keeping one account from filling the store.
    public static let defaultLimitPerRegion = 1_000

    /// Launches `minCount`…`maxCount` instances (always `maxCount` here). Repeating a `clientToken` returns the
    /// instances it launched before.
    public func run(
        in scope: Scope,
        imageID: String,
        minCount: Int,
        maxCount: Int,
        instanceType: String,
        keyName: String?,
        clientToken: String?,
        tags: [Tag]
    ) async throws -> [Instance] {
        guard minCount >= 1, maxCount >= minCount, maxCount <= Self.maximumPerCall else {
            throw KeywayError(
                .invalidParameterValue,
                subject: "MaxCount",
                detail: "MinCount must be at least 1 and MaxCount from MinCount to \(Self.maximumPerCall)."
            )
        }
        for tag in tags { try tag.validate() }
        guard Image.isWellFormedID(imageID) else { throw KeywayError(.imageIDMalformed, subject: imageID) }
        let token = clientToken.flatMap { $0.isEmpty ? nil : $0 }
        if let token, token.count > 64 {
            throw KeywayError(
                .invalidParameterValue,
                subject: "ClientToken",
                detail: "The client token must be at most 64 characters."
            )
        }
        guard let image = Image.catalogue.first(where: { $0.id == imageID }) else {
            throw KeywayError(.imageNotFound, subject: imageID)
        }
        var launchKey: String?
        var publicKey: PublicKey?
        if let keyName {
            guard let pair = try await self.keyPairs.keyPairs(in: scope, names: [keyName]).first else {
                throw KeywayError(.keyPairNotFound, subject: keyName)
            }
            if image.platform == .windows && pair.keyType == .ed25519 {
                // AWS's code and text for this are unconfirmed; Windows cannot use Ed25519 keys.
                throw KeywayError(
                    .invalidParameterCombination,
                    subject: keyName,
                    detail: "ED25519 key pairs are not supported with Windows AMIs."
                )
            }
            launchKey = pair.publicKey
            publicKey = try PublicKey(openSSHPublicKey: pair.publicKey)
        }
        var generator = SystemRandomNumberGenerator()
        let reservation = "r-" + RandomCharacters.string(count: 17, from: RandomCharacters.hex, using: &generator)
        let launchTime = self.now().truncatedToSeconds
        var instances: [Instance] = []
        for index in 0..<maxCount {
            var passwordData: String?
            if image.platform == .windows, let publicKey {
                // The plaintext password lives only in this scope; only the ciphertext is stored.
                passwordData = Data(try publicKey.encryptPKCS1v15(Array(Self.newPassword(using: &generator).utf8)))
                    .base64EncodedString()
            }
            instances.append(
                Instance(
                    id: InstanceID.random(using: &generator),
                    scope: scope,
                    reservationID: reservation,
                    imageID: image.id,
                    platform: image.platform,
                    instanceType: instanceType,
                    launchIndex: index,
                    keyName: keyName,
                    launchPublicKey: launchKey,
                    state: .running,
                    launchTime: launchTime,
                    privateIP: "",
                    clientToken: clientToken,
                    tags: tags,
                    passwordData: passwordData,
                    authorizedKeysOverride: nil
                )
            )
        }
        // One transaction decides: the token's earlier launch, the quota, and the insert (issue 13: eight concurrent
        // RunInstances with one token launch one reservation).
        switch try await self.store.launchInstances(
            instances,
            in: scope,
            clientToken: token,
            limit: self.limitPerRegion
        ) {
        case .launched(let stored):
            await self.onChange(stored)
            return stored
        case .existing(let earlier):
            guard let first = earlier.first, first.imageID == imageID, first.instanceType == instanceType,
                first.keyName == keyName,
                earlier.count == maxCount
            else { throw KeywayError(.idempotentParameterMismatch, subject: token ?? "") }
            return earlier
        }
    }

    /// Describes the scope's instances, or the named ones (each must exist), then filtered.
    public static let describeFilters: Set<String> = [
        "instance-id", "key-name", "instance-state-name", "platform", "image-id", "private-ip-address",
        "reservation-id",
    ]

    public func describe(in scope: Scope, ids: [String], filters: [Filter]) async throws -> [Instance] {
        try await self.describe(in: scope, ids: ids, filters: filters, maxResults: nil, nextToken: nil).instances
    }

    /// Describes a page: `maxResults` (5 to 1000, not with `ids`) instances after the `nextToken` of the previous
    /// page, in launch order; the answer's token is nil on the last page.
    public func describe(
        in scope: Scope,
        ids: [String],
        filters: [Filter],
        maxResults: Int?,
        nextToken: String?
    ) async throws -> (instances: [Instance], nextToken: String?) {
        for filter in filters { try filter.validate(supported: Self.describeFilters) }
        if maxResults != nil, !ids.isEmpty {
            throw KeywayError(
                .invalidParameterCombination,
                subject: "MaxResults",
                detail: "The parameter instancesSet cannot be used with the parameter maxResults"
            )
        }
        if let maxResults, !(5...1000).contains(maxResults) {
            throw KeywayError(
                .invalidParameterValue,
                subject: "MaxResults",
                detail: "Value ( \(maxResults) ) for parameter maxResults is invalid. Expecting a value greater than 5."
            )
        }
        let after = try nextToken.map { token throws(KeywayError) in try PageToken.decode(token, fields: 2) }
        var wanted: Set<InstanceID> = []
        for id in ids {
            guard let instanceID = InstanceID(wellFormed: id) else {
                throw KeywayError(.instanceIDMalformed, subject: id)
            }
            wanted.insert(instanceID)
        }
        var instances = try await self.store.instances(in: scope)
        if !ids.isEmpty {
            for id in ids where !instances.contains(where: { $0.id.rawValue == id }) {
                throw KeywayError(.instanceNotFound, subject: id)
            }
            instances = instances.filter { wanted.contains($0.id) }
        }
        instances = instances.filter { instance in filters.allSatisfy { instance.passes($0) } }
        if let after {
            instances.removeAll { Self.pageKey($0) <= (after[0], after[1]) }
        }
        guard let maxResults, instances.count > maxResults else { return (instances, nil) }
        instances.removeLast(instances.count - maxResults)
        let last = instances[instances.count - 1]
        return (instances, PageToken.encode([Self.pageKey(last).0, Self.pageKey(last).1]))
    }

    /// Where an instance sorts in the store's launch order, as text that sorts the same way: the launch second
    /// (zero-padded) and the ID.
    private static func pageKey(_ instance: Instance) -> (String, String) {
        let seconds = max(0, min(instance.launchTime.timeIntervalSince1970.rounded(.down), 1e15))
        let digits = String(Int64(seconds))
        return (String(repeating: "0", count: max(0, 16 - digits.count)) + digits, instance.id.rawValue)
    }

    /// A state change: the previous and the current state of each instance.
    public struct Transition: Sendable {
        public let id: InstanceID
        public let previous: Instance.State
        public let current: Instance.State
    }

    public func start(in scope: Scope, ids: [String]) async throws -> [Transition] {
        try await self.transition(in: scope, ids: ids, action: "start") { state in
            switch state {
            case .stopped, .stopping: (.pending, .running)
            case .pending, .running: (state, .running)
            default: nil
            }
        }
    }

    public func stop(in scope: Scope, ids: [String]) async throws -> [Transition] {
        try await self.transition(in: scope, ids: ids, action: "stop") { state in
            switch state {
            case .running, .pending: (.stopping, .stopped)
            case .stopped, .stopping: (state, .stopped)
            default: nil
            }
        }
    }

    public func terminate(in scope: Scope, ids: [String]) async throws -> [Transition] {
        try await self.transition(in: scope, ids: ids, action: "terminate") { state in
            state == .terminated ? (.terminated, .terminated) : (.shuttingDown, .terminated)
        }
    }

    /// The answer's state and the stored state for each allowed starting state; nil refuses the change.
    private func transition(
        in scope: Scope,
        ids: [String],
        action: String,
        _ rule: @escaping @Sendable (Instance.State) -> (shown: Instance.State, stored: Instance.State)?
    ) async throws -> [Transition] {
        guard !ids.isEmpty else { throw KeywayError(.missingParameter, subject: "InstanceId") }
        var instanceIDs: [InstanceID] = []
        for id in ids {
            guard let instanceID = InstanceID(wellFormed: id) else {
                throw KeywayError(.instanceIDMalformed, subject: id)
            }
            instanceIDs.append(instanceID)
        }
        // Read, checked and written in one transaction: a concurrent change (an audited recovery) is never undone.
        let changed = try await self.store.updateInstances(ids: instanceIDs, in: scope) {
            instance throws(KeywayError) in
            guard let (_, stored) = rule(instance.state) else {
                throw KeywayError(
                    .incorrectInstanceState,
                    subject: instance.id.rawValue,
                    detail:
                        "The instance '\(instance.id)' is not in a state from which it can be \(action == "stop" ? "stopped" : "started")."
                )
            }
            instance.state = stored
        }
        await self.onChange(changed.map(\.after))
        return changed.map { before, after in
            Transition(id: after.id, previous: before.state, current: rule(before.state)?.shown ?? after.state)
        }
    }

    /// The instance and its encrypted password data ("" for Linux, as EC2 answers).
    public func passwordData(in scope: Scope, id: String) async throws -> Instance {
        guard let instanceID = InstanceID(wellFormed: id) else { throw KeywayError(.instanceIDMalformed, subject: id) }
        guard let instance = try await self.store.instance(id: instanceID), instance.scope == scope else {
            throw KeywayError(.instanceNotFound, subject: id)
        }
        return instance
    }

    /// EC2 Instance Connect: lets `user` in with `publicKey` for 60 seconds.
    public func sendSSHPublicKey(in scope: Scope, instanceID: String, user: String, publicKey: String) async throws {
        guard let id = InstanceID(rawValue: instanceID), let instance = try await self.store.instance(id: id),
            instance.scope == scope,
            instance.state != .terminated
        else { throw KeywayError(.instanceNotFound, subject: instanceID) }
        guard instance.state == .running else {
            throw KeywayError(.incorrectInstanceState, subject: instanceID, detail: "The instance is not running.")
        }
        let key: PublicKey
        do {
            key = try PublicKey(openSSHPublicKey: publicKey.trimmingCharacters(in: .whitespacesAndNewlines))
        } catch {
            throw KeywayError(
                .invalidParameterValue,
                subject: "SSHPublicKey",
                detail: "The SSH public key is not a valid RSA or Ed25519 OpenSSH key."
            )
        }
        if key.keyType == .rsa && key.bitCount < 2048 {
            throw KeywayError(
                .invalidParameterValue,
                subject: "SSHPublicKey",
                detail: "RSA keys must have at least 2048 bits."
            )
        }
        await self.pushedKeys.push(key.openSSHRepresentation(), user: user, instance: id)
    }

    /// The public keys `user` may log in to the instance with: the launch key (or the keys the recovery put in its
    /// place) and keys pushed through Instance Connect in the last 60 seconds. Stopped or terminated: none.
    ///
    /// The launch key is the image's default user's only (`ec2-user`, `ubuntu`, `Administrator`), as EC2 installs
    /// it; keys pushed through Instance Connect are their own OS user's. `root` gets nothing, ever.
    public func authorizedKeys(instanceID: String, user: String) async throws -> [String] {
        guard user != "root", let id = InstanceID(rawValue: instanceID),
            let instance = try await self.store.instance(id: id),
            instance.state == .running
        else { return [] }
        let defaultUser = Image.catalogue.first { $0.id == instance.imageID }?.defaultUser
        let base =
            user == defaultUser ? instance.authorizedKeysOverride ?? instance.launchPublicKey.map { [$0] } ?? [] : []
        return base + (await self.pushedKeys.keys(for: id, user: user))
    }

    /// Lost-key recovery: replaces the instance's authorized keys with one public key. The launch key shown by the
    /// metadata service does not change, as in EC2.
    public func replaceAuthorizedKeys(instanceID: String, publicKey: String) async throws -> Instance {
        guard let id = InstanceID(rawValue: instanceID) else {
            throw KeywayError(.instanceNotFound, subject: instanceID)
        }
        let key: PublicKey
        do {
            key = try KeyMaterial(text: publicKey).publicKey
        } catch {
            throw KeywayError(
                .invalidPublicKey,
                subject: instanceID,
                detail: (error as? KeyFormatsError)?.message ?? "The key cannot be read."
            )
        }
        let line = key.openSSHRepresentation(comment: "recovered")
        let changed = try await self.store.updateInstances(ids: [id], in: nil) { instance in
            instance.authorizedKeysOverride = [line]
        }
        guard let instance = changed.first?.after else { throw KeywayError(.instanceNotFound, subject: instanceID) }
        return instance
    }

    private static func newPassword(using generator: inout some RandomNumberGenerator) -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!@#$%^&*()-_=+")
        return String((0..<32).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}

extension Instance {
    func passes(_ filter: Filter) -> Bool {
        switch filter.name {
        case "instance-id": filter.matches(self.id.rawValue)
        case "key-name": self.keyName.map(filter.matches) ?? false
        case "instance-state-name": filter.matches(self.state.rawValue)
        case "platform": self.platform == .windows && filter.matches("windows")
        case "image-id": filter.matches(self.imageID)
        case "private-ip-address": filter.matches(self.privateIP)
        case "reservation-id": filter.matches(self.reservationID)
        default: filter.matchesTag(in: self.tags)
        }
    }
}
