/// A ``KeyPairStore`` held in memory, for fast tests; its contents end with the process.
public actor InMemoryKeyPairStore: KeyPairStore {
    private var byScope: [Scope: [String: KeyPair]] = [:]

    public init() {}

    public func insert(_ keyPair: KeyPair, limit: Int) throws {
        var pairs = self.byScope[keyPair.scope, default: [:]]
        guard pairs[keyPair.name] == nil else {
            throw KeywayError(.keyPairDuplicate, subject: keyPair.name)
        }
        guard pairs.count < limit else {
            throw KeywayError(.keyPairLimitExceeded, subject: String(limit))
        }
        pairs[keyPair.name] = keyPair
        self.byScope[keyPair.scope] = pairs
    }

    public func keyPairs(in scope: Scope) -> [KeyPair] {
        (self.byScope[scope] ?? [:]).values.sorted { $0.name < $1.name }
    }

    public func keyPairs(in scope: Scope, names: [String]) -> [KeyPair] {
        let pairs = self.byScope[scope] ?? [:]
        return Set(names).compactMap { pairs[$0] }.sorted { $0.name < $1.name }
    }

    public func keyPairs(in scope: Scope, ids: [KeyPairID]) -> [KeyPair] {
        let wanted = Set(ids)
        return self.keyPairs(in: scope).filter { wanted.contains($0.id) }
    }

    public func deleteKeyPair(in scope: Scope, name: String) -> KeyPair? {
        self.byScope[scope]?.removeValue(forKey: name)
    }

    public func deleteKeyPair(in scope: Scope, id: KeyPairID) -> KeyPair? {
        guard let pair = self.byScope[scope]?.values.first(where: { $0.id == id }) else { return nil }
        return self.byScope[scope]?.removeValue(forKey: pair.name)
    }

    public func removeAll() {
        self.byScope.removeAll()
    }

    public func createTags(in scope: Scope, on ids: [KeyPairID], tags: [Tag], limit: Int) throws {
        var pairs = self.byScope[scope] ?? [:]
        for id in ids {
            guard let name = pairs.values.first(where: { $0.id == id })?.name, var pair = pairs[name] else {
                throw KeywayError(.keyPairIDNotFound, subject: id.rawValue)
            }
            pair.tags.merge(tags)
            guard pair.tags.count <= limit else {
                throw KeywayError(.tagLimitExceeded, subject: id.rawValue)
            }
            pairs[name] = pair
        }
        self.byScope[scope] = pairs
    }

    public func deleteTags(in scope: Scope, on ids: [KeyPairID], deletions: [TagDeletion]?) throws {
        var pairs = self.byScope[scope] ?? [:]
        for id in ids {
            guard let name = pairs.values.first(where: { $0.id == id })?.name, var pair = pairs[name] else {
                throw KeywayError(.keyPairIDNotFound, subject: id.rawValue)
            }
            pair.tags.removeAll { tag in deletions.map { $0.contains { $0.removes(tag) } } ?? true }
            pairs[name] = pair
        }
        self.byScope[scope] = pairs
    }
}

extension Array where Element == Tag {
    /// Sets each tag: an existing key keeps its place and takes the new value; a new key is appended.
    public mutating func merge(_ tags: [Tag]) {
        for tag in tags {
            if let index = self.firstIndex(where: { Tag.sameText($0.key, tag.key) }) {
                self[index].value = tag.value
            } else {
                self.append(tag)
            }
        }
    }
}
