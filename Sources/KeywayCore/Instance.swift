import Foundation

/// An EC2 instance ID: `i-` and 17 lower-case hexadecimal digits.
public struct InstanceID: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    /// An ID of the form Keyway issues: `i-` and 17 hexadecimal digits.
    public init?(rawValue: String) {
        guard rawValue.utf8.count == 19, Self.isWellFormed(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// Any ID of a form EC2 has issued: `i-` and 8 (before 2016) or 17 hexadecimal digits. Such an ID that is not
    /// known is `InvalidInstanceID.NotFound`; anything else is `InvalidInstanceID.Malformed`.
    public init?(wellFormed text: String) {
        guard Self.isWellFormed(text) else { return nil }
        self.rawValue = text
    }

    private static func isWellFormed(_ text: String) -> Bool {
        Image.hasHexSuffix(text, prefix: "i-")
    }

    public static func random(using generator: inout some RandomNumberGenerator) -> InstanceID {
        InstanceID(rawValue: "i-" + RandomCharacters.string(count: 17, from: RandomCharacters.hex, using: &generator))!
    }

    public var description: String { self.rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// An instance: a record with EC2's life cycle, not a virtual machine. It keeps its own copy of the launch key.
public struct Instance: Hashable, Sendable {
    /// EC2's instance states and their codes.
    public enum State: String, Hashable, Sendable, CaseIterable {
        case pending, running, stopping, stopped
        case shuttingDown = "shutting-down"
        case terminated

        /// The state code EC2 reports (the low byte of `instanceState/code`).
        public var code: Int {
            switch self {
            case .pending: 0
            case .running: 16
            case .shuttingDown: 32
            case .terminated: 48
            case .stopping: 64
            case .stopped: 80
            }
        }
    }

    public var id: InstanceID
    public var scope: Scope
    public var reservationID: String
    public var imageID: String
    public var platform: Image.Platform
    public var instanceType: String
    public var launchIndex: Int
    public var keyName: String?
    /// The launch key pair's public key as an OpenSSH line with the key name as comment; IMDS serves it for good.
    public var launchPublicKey: String?
    public var state: State
    public var launchTime: Date
    /// The instance's own loopback address, by which the metadata service knows it.
    public var privateIP: String
    public var clientToken: String?
    public var tags: [Tag]
    /// The administrator password encrypted to the launch key (RSA PKCS#1 v1.5), base64; Windows only.
    public var passwordData: String?
    /// Keys that replaced the launch key by the audited recovery operation; nil while the launch key applies.
    public var authorizedKeysOverride: [String]?

    public init(
        id: InstanceID,
        scope: Scope,
        reservationID: String,
        imageID: String,
        platform: Image.Platform,
        instanceType: String,
        launchIndex: Int,
        keyName: String?,
        launchPublicKey: String?,
        state: State,
        launchTime: Date,
        privateIP: String,
        clientToken: String?,
        tags: [Tag],
        passwordData: String?,
        authorizedKeysOverride: [String]?
    ) {
        self.id = id
        self.scope = scope
        self.reservationID = reservationID
        self.imageID = imageID
        self.platform = platform
        self.instanceType = instanceType
        self.launchIndex = launchIndex
        self.keyName = keyName
        self.launchPublicKey = launchPublicKey
        self.state = state
        self.launchTime = launchTime
        self.privateIP = privateIP
        self.clientToken = clientToken
        self.tags = tags
        self.passwordData = passwordData
        self.authorizedKeysOverride = authorizedKeysOverride
    }

    /// The `index`-th loopback address from 127.1.0.1, skipping .0 and .255 host bytes.
    public static func loopbackAddress(index: Int) throws -> String {
        let perBlock = 254
        let third = index / perBlock
        let second = 1 + third / 256
        guard second <= 254 else {
            throw KeywayError(
                .invalidParameterValue,
                subject: "MaxCount",
                detail: "No loopback addresses are left for new instances."
            )
        }
        return "127.\(second).\(third % 256).\(index % perBlock + 1)"
    }

    /// Refuses a launch that would take a scope past its quota of instances that are not terminated, with EC2's
    /// text (docs/aws-behaviour.md); the stores call it inside the launch's transaction.
    public static func checkQuota(active: Int, adding count: Int, limit: Int) throws(KeywayError) {
        guard active + count > limit else { return }
        let room = max(0, limit - active)
        throw KeywayError(
            .instanceLimitExceeded,
            subject: String(room),
            detail: "Your quota allows for \(room) more running instance(s). You requested at least \(count)"
        )
    }

    /// `ip-127-1-0-5.ec2.internal`-style private DNS name.
    public var privateDNSName: String {
        "ip-" + self.privateIP.replacingOccurrences(of: ".", with: "-")
            + (self.scope.region == .usEast1 ? ".ec2.internal" : ".\(self.scope.region.rawValue).compute.internal")
    }
}

/// A machine image of Keyway's small built-in catalogue.
public struct Image: Hashable, Sendable {
    public enum Platform: String, Hashable, Sendable {
        case linux
        case windows
    }

    public var id: String
    public var name: String
    public var description: String
    public var platform: Platform
    /// The OS user the image's launch key is installed for, as each distribution's EC2 images do (docs/aws-behaviour.md).
    public var defaultUser: String

    /// Whether `text` is of a form EC2 has issued for images: `ami-` and 8 or 17 hexadecimal digits.
    public static func isWellFormedID(_ text: String) -> Bool { Self.hasHexSuffix(text, prefix: "ami-") }

    /// `prefix` followed by 8 or 17 lower-case hexadecimal digits, EC2's two ID lengths.
    static func hasHexSuffix(_ text: String, prefix: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.starts(with: prefix.utf8) else { return false }
        let digits = utf8.dropFirst(prefix.utf8.count)
        return (digits.count == 8 || digits.count == 17)
            && digits.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// The images every region offers: two Linux and one Windows.
    public static let catalogue: [Image] = [
        Image(
            id: "ami-0a1b2c3d4e5f60001",
            name: "al2023-ami-2023.6-x86_64",
            description: "Amazon Linux 2023 (Keyway catalogue)",
            platform: .linux,
            defaultUser: "ec2-user"
        ),
        Image(
            id: "ami-0a1b2c3d4e5f60002",
            name: "ubuntu-noble-24.04-amd64-server",
            description: "Ubuntu 24.04 LTS (Keyway catalogue)",
            platform: .linux,
            defaultUser: "ubuntu"
        ),
        Image(
            id: "ami-0a1b2c3d4e5f60003",
            name: "Windows_Server-2022-English-Full-Base",
            description: "Windows Server 2022 (Keyway catalogue)",
            platform: .windows,
            defaultUser: "Administrator"
        ),
    ]
}
