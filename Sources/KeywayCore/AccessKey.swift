import Foundation

/// An access key of an account's root or of an IAM user; the secret is kept apart, in ``SecretAccessKey``.
public struct AccessKey: Hashable, Sendable {
    /// Whether the key may be used.
    public enum Status: String, Hashable, Sendable, CaseIterable {
        case active = "Active"
        case inactive = "Inactive"
    }

    public var id: AccessKeyID
    public var account: AccountID
    /// The owning user's name; nil for the account's root.
    public var userName: String?
    public var status: Status
    public var createTime: Date
    /// The last authenticated use, if any.
    public var lastUsed: AccessKeyUse?

    public init(
        id: AccessKeyID,
        account: AccountID,
        userName: String?,
        status: Status,
        createTime: Date,
        lastUsed: AccessKeyUse?
    ) {
        self.id = id
        self.account = account
        self.userName = userName
        self.status = status
        self.createTime = createTime
        self.lastUsed = lastUsed
    }

    /// Access keys a user may have, active or not (IAM's quota).
    public static let limitPerUser = 2
}

/// When, for which service and in which region an access key was last used.
public struct AccessKeyUse: Hashable, Sendable {
    public var date: Date
    public var service: String
    public var region: String

    public init(date: Date, service: String, region: String) {
        self.date = date
        self.service = service
        self.region = region
    }
}

/// Who a request is from: an account's root, or one of its IAM users.
public struct Principal: Hashable, Sendable {
    public var account: AccountID
    /// The user; nil for the root.
    public var user: IAMUser?
    /// The access key that authenticated the request, when there was one.
    public var accessKeyID: AccessKeyID?

    public init(account: AccountID, user: IAMUser?, accessKeyID: AccessKeyID?) {
        self.account = account
        self.user = user
        self.accessKeyID = accessKeyID
    }

    public var isRoot: Bool { self.user == nil }

    /// The caller's ARN: `arn:aws:iam::<account>:root` or the user's ARN.
    public var arn: String { self.user?.arn ?? "arn:aws:iam::\(self.account.rawValue):root" }

    /// The caller's unique ID, as GetCallerIdentity reports it: the user ID, or the account ID for the root.
    public var userID: String { self.user?.id.rawValue ?? self.account.rawValue }
}

/// An AWS account known to Keyway.
public struct Account: Hashable, Sendable {
    public var id: AccountID
    public var createTime: Date

    public init(id: AccountID, createTime: Date) {
        self.id = id
        self.createTime = createTime
    }
}
