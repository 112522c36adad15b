import AWSProtocol
import KeywayCore

/// The checks IAM makes on a request's members before an action runs: the lengths, patterns, enumerations, list
/// sizes, ranges and required members that the IAM API model declares (botocore `iam/2010-05-08/service-2.json`),
/// worded as AWS words them.
///
/// AWS reports every violation of a request at once, with code `ValidationError` and HTTP 400:
/// `2 validation errors detected: Value at 'path' failed to satisfy constraint: Member must have length less than or
/// equal to 512; Value at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64`.
/// It names the member in lower camel case (`tags.1.member.key` inside lists) and no longer echoes the value: every
/// IAM validation message recorded against AWS in LocalStack's snapshots of February 2026
/// (`tests/aws/services/iam/*.snapshot.json`, e.g. `Value at 'tags.1.member.key' failed to satisfy constraint: Member
/// must have length less than or equal to 128`) has that form, where captures from 2015 to 2021 (nixops#328,
/// vault#1031) still read `Value 'x' at 'roleName'`. Neither source fixes an order among several violations; they
/// are listed by member here.
///
/// Rules that IAM words itself (paths, duplicate tag keys, `aws:`) are the domain's, mapped in `AWSError+IAM.swift`.
struct IAMValidation {
    private let parameters: QueryParameters
    private var violations: [(member: String, constraint: String)] = []

    init(_ parameters: QueryParameters) {
        self.parameters = parameters
    }

    /// An optional string member, checked against its shape; nil when absent.
    mutating func optional(_ name: String, _ shape: IAMStringShape) -> String? {
        guard let value = self.parameters[name] else { return nil }
        self.check(value, shape, member: name.lowerCamelCased)
        return value
    }

    /// A required string member, checked against its shape; "" when absent, which ``check()`` then reports.
    mutating func required(_ name: String, _ shape: IAMStringShape) -> String {
        guard let value = self.parameters[name] else {
            self.violations.append((name.lowerCamelCased, "Member must not be null"))
            return ""
        }
        self.check(value, shape, member: name.lowerCamelCased)
        return value
    }

    /// A required member with a fixed set of values (`statusType`, `encodingType`); "" when absent or not one of them.
    ///
    /// AWS's text names neither the value nor the set (`Value at 'status' failed to satisfy constraint: Member must
    /// satisfy enum value set`, UpdateServiceSpecificCredential, which shares `statusType` with UpdateAccessKey and
    /// UpdateSSHPublicKey).
    mutating func required(_ name: String, oneOf allowed: [String]) -> String {
        guard let value = self.parameters[name] else {
            self.violations.append((name.lowerCamelCased, "Member must not be null"))
            return ""
        }
        guard allowed.contains(value) else {
            self.violations.append((name.lowerCamelCased, "Member must satisfy enum value set"))
            return ""
        }
        return value
    }

    /// `Tags.member.N.Key` and `.Value` (`tagListType`: at most 50 `Tag`s, both fields required); `required` where
    /// the list itself is (TagUser).
    mutating func tags(_ name: String = "Tags", required: Bool = false) -> [Tag] {
        let members = self.parameters.structures(name + ".member")
        let member = name.lowerCamelCased
        if required && members.isEmpty && self.parameters[name] == nil {
            self.violations.append((member, "Member must not be null"))
        }
        if members.count > Tag.maximumPerResource {
            self.violations.append((member, "Member must have length less than or equal to \(Tag.maximumPerResource)"))
        }
        var tags: [Tag] = []
        for (index, fields) in members.enumerated() {
            let path = "\(member).\(index + 1).member"
            let key = self.field(fields["Key"], .tagKey, member: path + ".key")
            let value = self.field(fields["Value"], .tagValue, member: path + ".value")
            tags.append(Tag(key: key, value: value))
        }
        return tags
    }

    /// `TagKeys.member.N` (`tagKeyListType`: at most 50 `tagKeyType` strings).
    ///
    /// For a bad key AWS lists every constraint of the list's member, whichever failed: `Value at 'tagKeys' failed to
    /// satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member
    /// must have length greater than or equal to 1, Member must satisfy regular expression pattern:
    /// [\p{L}\p{Z}\p{N}_.:/=+\-@]+, Member must not be null]` (UntagRole, recorded February 2026).
    mutating func required(tagKeys name: String) -> [String] {
        let keys = self.parameters.memberList(name)
        let member = name.lowerCamelCased
        guard self.parameters[name] != nil || !keys.isEmpty else {
            self.violations.append((member, "Member must not be null"))
            return []
        }
        if keys.count > Tag.maximumPerResource {
            self.violations.append((member, "Member must have length less than or equal to \(Tag.maximumPerResource)"))
        }
        if keys.contains(where: { !IAMStringShape.tagKey.violations(of: $0).isEmpty }) {
            let shape = IAMStringShape.tagKey
            self.violations.append(
                (
                    member,
                    "Member must satisfy constraint: [Member must have length less than or equal to \(shape.maximumLength), "
                        + "Member must have length greater than or equal to \(shape.minimumLength), "
                        + "Member must satisfy regular expression pattern: \(shape.pattern?.text ?? ""), Member must not be null]"
                )
            )
        }
        return keys
    }

    /// `MaxItems` (`maxItemsType`, 1 to 1000); nil when absent.
    mutating func maxItems() throws(AWSError) -> Int? {
        guard let value = try self.parameters.int("MaxItems") else { return nil }
        if value < 1 {
            self.violations.append(("maxItems", "Member must have value greater than or equal to 1"))
        } else if value > 1000 {
            self.violations.append(("maxItems", "Member must have value less than or equal to 1000"))
        }
        return value
    }

    /// `Marker` (`markerType`); nil when absent.
    mutating func marker() -> String? {
        self.optional("Marker", .marker)
    }

    /// Throws the `ValidationError` that lists every violation found, if any.
    func check() throws(AWSError) {
        guard !self.violations.isEmpty else { return }
        // Stable: a member's own violations keep their order (lengths, then the pattern).
        let sorted = self.violations.enumerated().sorted {
            ($0.element.member, $0.offset) < ($1.element.member, $1.offset)
        }
        let count = sorted.count
        throw AWSError(
            code: "ValidationError",
            message: "\(count) validation error\(count == 1 ? "" : "s") detected: "
                + sorted.map {
                    "Value at '\($0.element.member)' failed to satisfy constraint: \($0.element.constraint)"
                }
                .joined(separator: "; ")
        )
    }

    /// A required field of a list member; "" when absent.
    private mutating func field(_ value: String?, _ shape: IAMStringShape, member: String) -> String {
        guard let value else {
            self.violations.append((member, "Member must not be null"))
            return ""
        }
        self.check(value, shape, member: member)
        return value
    }

    private mutating func check(_ value: String, _ shape: IAMStringShape, member: String) {
        for constraint in shape.violations(of: value) {
            self.violations.append((member, constraint))
        }
    }
}

/// A string shape of the IAM API model: its length bounds and the pattern its characters must match.
struct IAMStringShape: Sendable {
    var minimumLength: Int
    var maximumLength: Int
    /// The pattern as the model (and AWS's message) writes it, and the test it makes of each character; the
    /// patterns used here are all one character class repeated (`+`, or `*` where the minimum length is 0). Nil where
    /// the model has none, or where IAM answers a mismatch in its own words (paths: `IAMUser.validatePath`).
    var pattern: (text: String, allows: @Sendable (Unicode.Scalar) -> Bool)?

    /// What `value` breaks, in AWS's words: lengths first, counted as Java counts (UTF-16 code units), then the pattern.
    func violations(of value: String) -> [String] {
        var found: [String] = []
        let length = value.utf16.count
        if length > self.maximumLength {
            found.append("Member must have length less than or equal to \(self.maximumLength)")
        }
        if length < self.minimumLength {
            found.append("Member must have length greater than or equal to \(self.minimumLength)")
        }
        if let pattern = self.pattern,
            (value.isEmpty && self.minimumLength > 0) || !value.unicodeScalars.allSatisfy(pattern.allows)
        {
            found.append("Member must satisfy regular expression pattern: \(pattern.text)")
        }
        return found
    }

    private static let name = (
        text: "[\\w+=,.@-]+", allows: IAMUser.isNameCharacter as @Sendable (Unicode.Scalar) -> Bool
    )
    private static let word: (text: String, allows: @Sendable (Unicode.Scalar) -> Bool) = (
        "[\\w]+",
        { scalar in scalar.isASCII && (scalar == "_" || scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))
        }
    )
    private static let pemText: (text: String, allows: @Sendable (Unicode.Scalar) -> Bool) = (
        "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
        { scalar in [0x09, 0x0A, 0x0D].contains(scalar.value) || (0x20...0xFF).contains(scalar.value) }
    )

    /// `userNameType`: CreateUser and the SSH public key actions.
    static let userName = IAMStringShape(minimumLength: 1, maximumLength: 64, pattern: Self.name)
    /// `existingUserNameType`: the user named by GetUser, DeleteUser, the access key and tag actions.
    static let existingUserName = IAMStringShape(minimumLength: 1, maximumLength: 128, pattern: Self.name)
    /// `serverCertificateNameType`.
    static let serverCertificateName = IAMStringShape(minimumLength: 1, maximumLength: 128, pattern: Self.name)
    /// `pathType`; its pattern is IAM's own check (`The specified value for path is invalid. …`).
    static let path = IAMStringShape(minimumLength: 1, maximumLength: 512, pattern: nil)
    /// `pathPrefixType`; likewise.
    static let pathPrefix = IAMStringShape(minimumLength: 1, maximumLength: 512, pattern: nil)
    /// `markerType`.
    static let marker = IAMStringShape(
        minimumLength: 1,
        maximumLength: 320,
        pattern: ("[\\u0020-\\u00FF]+", { (0x20...0xFF).contains($0.value) })
    )
    /// `accessKeyIdType`.
    static let accessKeyID = IAMStringShape(minimumLength: 16, maximumLength: 128, pattern: Self.word)
    /// `publicKeyIdType`: SSH public key IDs.
    static let publicKeyID = IAMStringShape(minimumLength: 20, maximumLength: 128, pattern: Self.word)
    /// `certificateBodyType`.
    static let certificateBody = IAMStringShape(minimumLength: 1, maximumLength: 16_384, pattern: Self.pemText)
    /// `privateKeyType` (sensitive; AWS's messages echo no value anyway).
    static let privateKey = IAMStringShape(minimumLength: 1, maximumLength: 16_384, pattern: Self.pemText)
    /// `certificateChainType`.
    static let certificateChain = IAMStringShape(minimumLength: 1, maximumLength: 2_097_152, pattern: Self.pemText)
    /// `publicKeyMaterialType`: an SSH public key body.
    static let publicKeyMaterial = IAMStringShape(minimumLength: 1, maximumLength: 16_384, pattern: Self.pemText)
    /// `tagKeyType`.
    static let tagKey = IAMStringShape(
        minimumLength: 1,
        maximumLength: Tag.iamMaximumKeyLength,
        pattern: ("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+", Tag.isIAMTagCharacter)
    )
    /// `tagValueType`.
    static let tagValue = IAMStringShape(
        minimumLength: 0,
        maximumLength: Tag.iamMaximumValueLength,
        pattern: ("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*", Tag.isIAMTagCharacter)
    )
}
