import Foundation

/// An IAM user (IAM API Reference, `User`): a name unique per account regardless of case, a path, a unique ID, and
/// up to 50 tags whose keys are unique regardless of case (see `Tag+IAM.swift`).
public struct IAMUser: Hashable, Sendable {
    public var account: AccountID
    public var name: String
    public var path: String
    public var id: UserID
    public var createTime: Date
    /// Ordered by key.
    public var tags: [Tag]

    public init(account: AccountID, name: String, path: String, id: UserID, createTime: Date, tags: [Tag] = []) {
        self.account = account
        self.name = name
        self.path = path
        self.id = id
        self.createTime = createTime
        self.tags = tags
    }

    /// `arn:aws:iam::<account>:user<path><name>`.
    public var arn: String { "arn:aws:iam::\(self.account.rawValue):user\(self.path)\(self.name)" }

    /// Checks a new user's name: 1 to 64 characters of `[\w+=,.@-]` (IAM API Reference, `CreateUser`). Lookups take
    /// any name (the model allows 128 there) and simply find nothing.
    public static func validateName(
        _ name: String,
        parameter: String = "UserName",
        maximumLength: Int = 64
    ) throws(KeywayError) {
        guard !name.isEmpty else { throw KeywayError(.missingParameter, subject: parameter) }
        guard name.utf16.count <= maximumLength else {
            throw KeywayError(
                .invalidParameterValue,
                subject: parameter,
                detail: "must have length less than or equal to \(maximumLength)"
            )
        }
        guard name.unicodeScalars.allSatisfy(Self.isNameCharacter) else {
            throw KeywayError(
                .invalidParameterValue,
                subject: parameter,
                detail: "must satisfy regular expression pattern: [\\w+=,.@-]+"
            )
        }
    }

    /// Checks a path: `/`, or `/` and printable ASCII (`!` to `~`) and `/`, with no empty segment, at most 512
    /// characters (IAM API Reference, `pathType`; IAM refuses `//` as well). The subject of the error names the
    /// parameter.
    public static func validatePath(_ path: String, parameter: String = "Path") throws(KeywayError) {
        guard path.utf8.count <= 512 else {
            throw KeywayError(
                .invalidParameterValue,
                subject: parameter,
                detail: "must have length less than or equal to 512"
            )
        }
        guard path.hasPrefix("/"), path.hasSuffix("/"), path.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }),
            !path.contains("//")
        else { throw KeywayError(.invalidPath, subject: parameter) }
    }

    /// Checks a path prefix for list calls: `/` followed by characters from `!` to DEL (`pathPrefixType`), at most 512.
    /// A prefix need not end with `/`: `/test-life` finds users under `/test-lifecycle-path/`.
    public static func validatePathPrefix(_ prefix: String, parameter: String = "PathPrefix") throws(KeywayError) {
        guard prefix.utf8.count <= 512 else {
            throw KeywayError(
                .invalidParameterValue,
                subject: parameter,
                detail: "must have length less than or equal to 512"
            )
        }
        guard prefix.hasPrefix("/"), prefix.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7F }) else {
            throw KeywayError(.invalidPath, subject: parameter)
        }
    }

    /// Whether a character may appear in an IAM user or server certificate name: `[\w+=,.@-]`, where Java's `\w` is
    /// ASCII letters, digits and `_`.
    public static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "+", "=", ",", ".", "@", "-": true
        default: false
        }
    }

    /// Users an account may have (IAM's default quota).
    public static let limitPerAccount = 5000
}
