/// An IAM-style unique ID: a fixed prefix such as `AKIA` followed by base32 characters (IAM's unique ID prefixes).
///
/// Conforming types declare the prefix and length; validation, generation and description come from here.
public protocol AWSUniqueID: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible
where RawValue == String {
    /// The type's prefix, such as `AKIA`.
    static var prefix: String { get }
    /// How many base32 characters follow the prefix.
    static var randomLength: Int { get }
    /// Wraps a value already checked to have the type's form.
    init(validated rawValue: String)
}

extension AWSUniqueID {
    /// Accepts exactly the prefix followed by `randomLength` base32 characters.
    public init?(rawValue: String) {
        guard rawValue.utf8.count == Self.prefix.utf8.count + Self.randomLength, rawValue.hasPrefix(Self.prefix),
            rawValue.utf8.dropFirst(Self.prefix.utf8.count).allSatisfy({
                ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x32 && $0 <= 0x37)
            })
        else { return nil }
        self.init(validated: rawValue)
    }

    /// A new random ID.
    public static func random(using generator: inout some RandomNumberGenerator) -> Self {
        Self(
            validated: Self.prefix
                + RandomCharacters.string(count: Self.randomLength, from: RandomCharacters.base32, using: &generator)
        )
    }

    public var description: String { self.rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// An access key ID: `AKIA` and 16 base32 characters.
public struct AccessKeyID: AWSUniqueID {
    public static let prefix = "AKIA"
    public static let randomLength = 16
    public let rawValue: String
    public init(validated rawValue: String) { self.rawValue = rawValue }
}

/// An IAM user's unique ID: `AIDA` and 17 base32 characters.
public struct UserID: AWSUniqueID {
    public static let prefix = "AIDA"
    public static let randomLength = 17
    public let rawValue: String
    public init(validated rawValue: String) { self.rawValue = rawValue }
}

/// A server certificate's unique ID: `ASCA` and 17 base32 characters.
public struct ServerCertificateID: AWSUniqueID {
    public static let prefix = "ASCA"
    public static let randomLength = 17
    public let rawValue: String
    public init(validated rawValue: String) { self.rawValue = rawValue }
}

/// An IAM SSH public key's ID: `APKA` and 16 base32 characters, as every real one seen has.
public struct SSHPublicKeyID: AWSUniqueID {
    public static let prefix = "APKA"
    public static let randomLength = 16
    public let rawValue: String
    public init(validated rawValue: String) { self.rawValue = rawValue }
}

/// A secret access key: 40 characters of `[A-Za-z0-9+/]`.
///
/// Its description is redacted, so a secret that reaches a log line or an error by mistake shows nothing.
public struct SecretAccessKey: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret itself; read it only to sign, verify, encrypt, or hand it to its owner once.
    public let value: String

    public init(value: String) {
        self.value = value
    }

    public static func random(using generator: inout some RandomNumberGenerator) -> SecretAccessKey {
        SecretAccessKey(value: RandomCharacters.string(count: 40, from: RandomCharacters.base64, using: &generator))
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
