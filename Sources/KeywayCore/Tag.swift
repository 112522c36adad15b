/// A user tag: a key and a value, both case-sensitive.
public struct Tag: Hashable, Sendable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// The EC2 tag rules (Using_Tags): at most 50 a resource; keys of 1–128 and values of at most 256 characters;
    /// the `aws:` key prefix is reserved.
    public static let maximumPerResource = 50
    public static let maximumKeyLength = 128
    public static let maximumValueLength = 256

    /// Whether two keys (or values) are the same text, code unit for code unit. Swift's `==` treats canonically
    /// equivalent strings (`é` and `e` + U+0301) as equal, where AWS and the database's unique key do not: one
    /// tag must never take another's place for that (issue 13).
    public static func sameText(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
        a.utf8.elementsEqual(b.utf8)
    }

    /// Checks one tag against the rules; the subject of the error names the offending key.
    public func validate() throws(KeywayError) {
        guard !self.key.isEmpty, self.key.count <= Self.maximumKeyLength else {
            throw KeywayError(
                .invalidParameterValue,
                subject: "Tag.Key",
                detail: "Tag keys must be 1 to \(Self.maximumKeyLength) characters long."
            )
        }
        guard self.value.count <= Self.maximumValueLength else {
            throw KeywayError(
                .invalidParameterValue,
                subject: "Tag.Value",
                detail: "Tag values may be at most \(Self.maximumValueLength) characters long."
            )
        }
        guard !self.key.lowercased().hasPrefix("aws:") else {
            throw KeywayError(
                .invalidParameterValue,
                subject: "Tag.Key",
                detail: "Tag keys starting with 'aws:' are reserved for internal use."
            )
        }
    }
}

/// A tag together with the resource it is on, as DescribeTags lists it.
public struct ResourceTag: Hashable, Sendable {
    public var resourceID: String
    public var resourceType: String
    public var tag: Tag

    public init(resourceID: String, resourceType: String, tag: Tag) {
        self.resourceID = resourceID
        self.resourceType = resourceType
        self.tag = tag
    }
}

/// What DeleteTags removes: a key regardless of value, or a key only with a given value.
public struct TagDeletion: Hashable, Sendable {
    public var key: String
    /// When set, the tag is removed only if its value is exactly this (which may be "").
    public var value: String?

    public init(key: String, value: String?) {
        self.key = key
        self.value = value
    }

    /// Whether this deletion removes `tag`.
    public func removes(_ tag: Tag) -> Bool {
        Tag.sameText(tag.key, self.key) && (self.value.map { Tag.sameText($0, tag.value) } ?? true)
    }
}
