/// An EC2 Describe filter: a name and values; a resource passes when any value matches (Using_Filtering).
public struct Filter: Hashable, Sendable {
    public var name: String
    public var values: [String]

    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }

    /// EC2's longest filter value.
    public static let maximumValueLength = 255
    /// EC2's most filter values in one call, over all of its filters.
    public static let maximumValuesPerCall = 200

    /// For a `tag:<key>` filter, whether `tags` hold that key (exactly, case-sensitive) with a value that matches: the
    /// one reading of EC2's tag filters, for every resource that has tags.
    public func matchesTag(in tags: some Sequence<Tag>) -> Bool {
        guard self.name.hasPrefix("tag:") else { return false }
        let key = self.name.dropFirst(4)
        return tags.contains { $0.key.utf8.elementsEqual(key.utf8) && self.matches($0.value) }
    }

    /// Whether any of the values, read as a wildcard pattern, matches `text`.
    public func matches(_ text: String) -> Bool {
        self.values.contains { WildcardPattern($0).matches(text) }
    }

    /// Checks the filter's name against a call's supported names (`tag:` names always pass) and its values' lengths.
    public func validate(supported: Set<String>) throws(KeywayError) {
        guard supported.contains(self.name) || (self.name.hasPrefix("tag:") && self.name.count > 4) else {
            throw KeywayError(.invalidFilter, subject: self.name)
        }
        guard self.values.allSatisfy({ $0.count <= Self.maximumValueLength }) else {
            throw KeywayError(.filterValueTooLong, subject: self.name)
        }
    }
}

/// An EC2 filter value read as a pattern: `*` matches any run of characters, `?` exactly one, and `\` makes the
/// next character literal. Matching is case-sensitive.
///
/// The EC2 guide says both "zero or one" and "exactly one" for `?`; this follows the glob reading, exactly one.
public struct WildcardPattern: Sendable {
    private enum Token: Equatable {
        case literal(Character)
        case any
        case one
    }

    private let tokens: [Token]

    public init(_ pattern: String) {
        var tokens: [Token] = []
        var escaped = false
        for character in pattern {
            if escaped {
                tokens.append(.literal(character))
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "*" {
                if tokens.last != .any { tokens.append(.any) }
            } else if character == "?" {
                tokens.append(.one)
            } else {
                tokens.append(.literal(character))
            }
        }
        if escaped { tokens.append(.literal("\\")) }
        self.tokens = tokens
    }

    /// Whether the whole of `text` matches, by the usual greedy match with one backtrack point per `*`.
    public func matches(_ text: String) -> Bool {
        let characters = Array(text)
        var t = 0
        var c = 0
        var starToken: Int?
        var starCharacter = 0
        while c < characters.count {
            if t < self.tokens.count {
                switch self.tokens[t] {
                case .any:
                    starToken = t
                    starCharacter = c
                    t += 1
                    continue
                case .one:
                    t += 1
                    c += 1
                    continue
                case .literal(let expected) where expected == characters[c]:
                    t += 1
                    c += 1
                    continue
                default:
                    break
                }
            }
            guard let star = starToken else { return false }
            t = star + 1
            starCharacter += 1
            c = starCharacter
        }
        while t < self.tokens.count, self.tokens[t] == .any { t += 1 }
        return t == self.tokens.count
    }
}
