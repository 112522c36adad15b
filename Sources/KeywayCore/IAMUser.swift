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

    /// Checks a user name: 1 to 64 characters of `[\w+=,.@-]`.
    public static func validateName(_ name: String, parameter: String = "UserName") throws(KeywayError) {
        guard !name.isEmpty else { throw KeywayError(.missingParameter, subject: parameter) }
        guard name.count <= 64, name.unicodeScalars.allSatisfy(Self.isNameCharacter) else {
            throw KeywayError(
                .invalidParameterValue, subject: parameter,
                detail: "must be 1 to 64 characters of letters, digits and +=,.@_-"
            )
        }
    }

    /// Checks a path: `/`, or `/` + segments of printable ASCII + `/`, at most 512 characters.
    public static func validatePath(_ path: String, parameter: String = "Path") throws(KeywayError) {
        guard path.hasPrefix("/"), path.hasSuffix("/"), path.utf8.count <= 512,
            path.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }), !path.contains("//")
        else {
            throw KeywayError(
                .invalidParameterValue, subject: parameter,
                detail: "must begin and end with '/' and hold printable ASCII characters, at most 512"
            )
        }
    }

    static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "+", "=", ",", ".", "@", "-": true
        default: false
        }
    }

    /// Users an account may have (IAM's default quota).
    public static let limitPerAccount = 5000
}
