/// IAM's tag rules, which differ from EC2's (``Tag/validate()``).
///
/// From the IAM API Reference (`Tag`): a key is 1 to 128 and a value 0 to 256 characters of
/// `[\p{L}\p{Z}\p{N}_.:/=+\-@]`. From the IAM User Guide (`id_tags`, "Rules for tagging in IAM and AWS STS"): neither a
/// key nor a value may begin with `aws:`; keys of users and roles compare regardless of case but keep the case they
/// were given ("you cannot have separate Department and department tag keys … it replaces the first tag"), keys of
/// other IAM resources (server certificates among them) are case-sensitive. From the quotas page: 50 tags a resource.
extension Tag {
    /// The longest IAM tag key and value, counted as the model counts: in UTF-16 code units (Java's `String.length`).
    public static let iamMaximumKeyLength = 128
    public static let iamMaximumValueLength = 256

    /// Whether a character may appear in an IAM tag key or value: a letter, a separator, a number, or one of
    /// `_ . : / = + - @` (`[\p{L}\p{Z}\p{N}_.:/=+\-@]`).
    public static func isIAMTagCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .spaceSeparator, .lineSeparator, .paragraphSeparator,
            .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return "_.:/=+-@".unicodeScalars.contains(scalar)
        }
    }

    /// Whether a key or value begins with the reserved `aws:`, in any case.
    public static func hasReservedIAMPrefix(_ text: String) -> Bool {
        text.utf8.count >= 4 && text.prefix(4).lowercased() == "aws:"
    }

    /// Checks the tags of one IAM request: lengths and characters, no key twice (regardless of case when
    /// `keysIgnoreCase`), no key or value beginning with `aws:`. `resource` names the kind of resource for the
    /// duplicate error (`user`, `server certificate`).
    public static func validateIAM(_ tags: [Tag], keysIgnoreCase: Bool, resource: String) throws(KeywayError) {
        for (index, tag) in tags.enumerated() {
            let key = tag.key.utf16.count
            guard key >= 1, key <= Self.iamMaximumKeyLength else {
                throw KeywayError(
                    .invalidParameterValue,
                    subject: "tags.\(index + 1).member.key",
                    detail: key == 0
                        ? "must have length greater than or equal to 1" : "must have length less than or equal to 128"
                )
            }
            guard tag.key.unicodeScalars.allSatisfy(Self.isIAMTagCharacter) else {
                throw KeywayError(
                    .invalidParameterValue,
                    subject: "tags.\(index + 1).member.key",
                    detail: "must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+"
                )
            }
            guard tag.value.utf16.count <= Self.iamMaximumValueLength else {
                throw KeywayError(
                    .invalidParameterValue,
                    subject: "tags.\(index + 1).member.value",
                    detail: "must have length less than or equal to 256"
                )
            }
            guard tag.value.unicodeScalars.allSatisfy(Self.isIAMTagCharacter) else {
                throw KeywayError(
                    .invalidParameterValue,
                    subject: "tags.\(index + 1).member.value",
                    detail: "must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*"
                )
            }
        }
        var seen = Set<String>()
        for tag in tags where !seen.insert(keysIgnoreCase ? tag.key.lowercased() : tag.key).inserted {
            throw KeywayError(.duplicateTagKeys, subject: tag.key, detail: resource)
        }
        for tag in tags where Self.hasReservedIAMPrefix(tag.key) || Self.hasReservedIAMPrefix(tag.value) {
            throw KeywayError(.reservedTagPrefix, subject: tag.key)
        }
    }

    /// `tags` applied over `existing` as IAM applies them to a user: a tag whose key matches a held key regardless
    /// of case replaces it, key case and all; the result is ordered by key.
    public static func mergingIAMUserTags(_ tags: [Tag], into existing: [Tag]) -> [Tag] {
        let replaced = Set(tags.map { $0.key.lowercased() })
        return (existing.filter { !replaced.contains($0.key.lowercased()) } + tags).sorted { $0.key < $1.key }
    }

    /// `existing` without the tags whose keys match `keys` regardless of case; keys not held are ignored.
    public static func removingIAMUserTags(_ keys: [String], from existing: [Tag]) -> [Tag] {
        let removed = Set(keys.map { $0.lowercased() })
        return existing.filter { !removed.contains($0.key.lowercased()) }
    }
}
