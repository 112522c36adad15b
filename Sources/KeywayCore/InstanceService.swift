import Foundation
import KeyFormats

/// EC2 instances as records: launch with a key pair, the life cycle, Windows passwords encrypted to the launch key,
/// the keys an SSH server may let in, and the audited recovery that replaces them.
public struct InstanceService: Sendable {
    public let store: any InstanceStore
    public let keyPairs: any KeyPairStore
    public let pushedKeys: PushedKeys
    public let now: @Sendable () -> Date
    /// Called after instances are stored or change state, so the metadata listener can follow them.
    public let onChange: @Sendable ([Instance]) async -> Void

    public init(
        store: any InstanceStore, keyPairs: any KeyPairStore, pushedKeys: PushedKeys, now: @escaping @Sendable () -> Date = { Date() },
        onChange: @escaping @Sendable ([Instance]) async -> Void = { _ in }
    ) {
        self.store = store
        self.keyPairs = keyPairs
        self.pushedKeys = pushedKeys
        self.now = now
        self.onChange = onChange
    }

    /// Most instances one RunInstances call may launch.
    public static let maximumPerCall = 100

    /// Launches `minCount`…`maxCount` instances (always `maxCount` here). Repeating a `clientToken` returns the
    /// instances it launched before.
    public func run(
        in scope: Scope, imageID: String, minCount: Int, maxCount: Int, instanceType: String, keyName: String?,
        clientToken: String?, tags: [Tag]
    ) async throws -> [Instance] {
        guard minCount >= 1, maxCount >= minCount, maxCount <= Self.maximumPerCall else {
            throw KeywayError(
                .invalidParameterValue, subject: "MaxCount",
                detail: "MinCount must be at least 1 and MaxCount from MinCount to \(Self.maximumPerCall)."
            )
        }
        for tag in tags { try tag.validate() }
        if let clientToken, !clientToken.isEmpty {
            let earlier = try await self.store.instances(in: scope).filter { $0.clientToken == clientToken }
            if let first = earlier.first {
                guard first.imageID == imageID, first.instanceType == instanceType, first.keyName == keyName,
                    earlier.count == maxCount
                else { throw KeywayError(.idempotentParameterMismatch, subject: clientToken) }
                return earlier
            }
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
                    .invalidParameterCombination, subject: keyName, detail: "ED25519 key pairs are not supported with Windows AMIs."
                )
            }
            launchKey = pair.publicKey
            publicKey = try PublicKey(openSSHPublicKey: pair.publicKey)
        }
        var generator = SystemRandomNumberGenerator()
        let reservation = "r-" + String((0..<17).map { _ in Array("0123456789abcdef")[Int.random(in: 0..<16, using: &generator)] })
        let launchTime = self.now().truncatedToSeconds
        var instances: [Instance] = []
        for index in 0..<maxCount {
            var passwordData: String?
            if image.platform == .windows, let publicKey {
                // The plaintext password lives only in this scope; only the ciphertext is stored.
                passwordData = Data(try publicKey.encryptPKCS1v15(Array(Self.newPassword(using: &generator).utf8))).base64EncodedString()
            }
            instances.append(
                Instance(
                    id: InstanceID.random(using: &generator), scope: scope, reservationID: reservation, imageID: image.id,
                    platform: image.platform, instanceType: instanceType, launchIndex: index, keyName: keyName,
                    launchPublicKey: launchKey, state: .running, launchTime: launchTime, privateIP: "",
                    clientToken: clientToken, tags: tags, passwordData: passwordData, authorizedKeysOverride: nil
                )
            )
        }
        let stored = try await self.store.insertInstances(instances)
        await self.onChange(stored)
        return stored
    }

    /// Describes the scope's instances, or the named ones (each must exist), then filtered.
    public static let describeFilters: Set<String> = ["instance-id", "key-name", "instance-state-name", "platform", "image-id", "private-ip-address", "reservation-id"]

    public func describe(in scope: Scope, ids: [String], filters: [Filter]) async throws -> [Instance] {
        for filter in filters { try filter.validate(supported: Self.describeFilters) }
        var instances = try await self.store.instances(in: scope)
        if !ids.isEmpty {
            for id in ids where !instances.contains(where: { $0.id.rawValue == id }) {
                throw KeywayError(.instanceNotFound, subject: id)
            }
            instances = instances.filter { ids.contains($0.id.rawValue) }
        }
        return instances.filter { instance in filters.allSatisfy { instance.passes($0) } }
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
        in scope: Scope, ids: [String], action: String, _ rule: (Instance.State) -> (shown: Instance.State, stored: Instance.State)?
    ) async throws -> [Transition] {
        guard !ids.isEmpty else { throw KeywayError(.missingParameter, subject: "InstanceId") }
        let all = try await self.store.instances(in: scope)
        var changed: [(Instance, Transition)] = []
        for id in ids {
            guard var instance = all.first(where: { $0.id.rawValue == id }) else { throw KeywayError(.instanceNotFound, subject: id) }
            guard let (shown, stored) = rule(instance.state) else {
                throw KeywayError(
                    .incorrectInstanceState, subject: id,
                    detail: "The instance '\(id)' is not in a state from which it can be \(action == "stop" ? "stopped" : "started")."
                )
            }
            let transition = Transition(id: instance.id, previous: instance.state, current: shown)
            instance.state = stored
            changed.append((instance, transition))
        }
        for (instance, _) in changed { try await self.store.updateInstance(instance) }
        await self.onChange(changed.map(\.0))
        return changed.map(\.1)
    }

    /// The instance and its encrypted password data ("" for Linux, as EC2 answers).
    public func passwordData(in scope: Scope, id: String) async throws -> Instance {
        guard let instanceID = InstanceID(rawValue: id), let instance = try await self.store.instance(id: instanceID),
            instance.scope == scope
        else { throw KeywayError(.instanceNotFound, subject: id) }
        return instance
    }

    /// EC2 Instance Connect: lets `user` in with `publicKey` for 60 seconds.
    public func sendSSHPublicKey(in scope: Scope, instanceID: String, user: String, publicKey: String) async throws {
        guard let id = InstanceID(rawValue: instanceID), let instance = try await self.store.instance(id: id), instance.scope == scope,
            instance.state != .terminated
        else { throw KeywayError(.instanceNotFound, subject: instanceID) }
        guard instance.state == .running else {
            throw KeywayError(.incorrectInstanceState, subject: instanceID, detail: "The instance is not running.")
        }
        let key: PublicKey
        do {
            key = try PublicKey(openSSHPublicKey: publicKey.trimmingCharacters(in: .whitespacesAndNewlines))
        } catch {
            throw KeywayError(.invalidParameterValue, subject: "SSHPublicKey", detail: "The SSH public key is not a valid RSA or Ed25519 OpenSSH key.")
        }
        if key.keyType == .rsa && key.bitCount < 2048 {
            throw KeywayError(.invalidParameterValue, subject: "SSHPublicKey", detail: "RSA keys must have at least 2048 bits.")
        }
        await self.pushedKeys.push(key.openSSHRepresentation(), user: user, instance: id)
    }

    /// The public keys `user` may log in to the instance with: the launch key (or the keys the recovery put in its
    /// place) and keys pushed through Instance Connect in the last 60 seconds. Stopped or terminated: none.
    public func authorizedKeys(instanceID: String, user: String) async throws -> [String] {
        guard let id = InstanceID(rawValue: instanceID), let instance = try await self.store.instance(id: id),
            instance.state == .running
        else { return [] }
        let base = instance.authorizedKeysOverride ?? instance.launchPublicKey.map { [$0] } ?? []
        return base + (await self.pushedKeys.keys(for: id, user: user))
    }

    /// Lost-key recovery: replaces the instance's authorized keys with one public key. The launch key shown by the
    /// metadata service does not change, as in EC2.
    public func replaceAuthorizedKeys(instanceID: String, publicKey: String) async throws -> Instance {
        guard let id = InstanceID(rawValue: instanceID), var instance = try await self.store.instance(id: id) else {
            throw KeywayError(.instanceNotFound, subject: instanceID)
        }
        let key: PublicKey
        do {
            key = try KeyMaterial(text: publicKey).publicKey
        } catch {
            throw KeywayError(.invalidPublicKey, subject: instanceID, detail: (error as? KeyFormatsError)?.message ?? "The key cannot be read.")
        }
        instance.authorizedKeysOverride = [key.openSSHRepresentation(comment: "recovered")]
        try await self.store.updateInstance(instance)
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
        default: self.tags.contains { $0.key == filter.name.dropFirst(4) && filter.matches($0.value) }
        }
    }
}
