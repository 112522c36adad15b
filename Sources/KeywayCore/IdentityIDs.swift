/// The base32 alphabet of AWS unique IDs (`A–Z`, `2–7`).
private let base32Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

/// `prefix` followed by `count` random base32 characters.
func randomUniqueID(prefix: String, count: Int, using generator: inout some RandomNumberGenerator) -> String {
    prefix + String((0..<count).map { _ in base32Alphabet[Int.random(in: 0..<32, using: &generator)] })
}

func isUniqueID(_ text: String, prefix: String, count: Int) -> Bool {
    text.utf8.count == prefix.utf8.count + count && text.hasPrefix(prefix)
        && text.utf8.dropFirst(prefix.utf8.count).allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x32 && $0 <= 0x37) }
}

/// An access key ID: `AKIA` and 16 base32 characters (IAM's unique ID prefixes).
public struct AccessKeyID: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init?(rawValue: String) {
        guard isUniqueID(rawValue, prefix: "AKIA", count: 16) else { return nil }
        self.rawValue = rawValue
    }

    public static func random(using generator: inout some RandomNumberGenerator) -> AccessKeyID {
        AccessKeyID(rawValue: randomUniqueID(prefix: "AKIA", count: 16, using: &generator))!
    }

    public var description: String { self.rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// An IAM user's unique ID: `AIDA` and 17 base32 characters.
public struct UserID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init?(rawValue: String) {
        guard isUniqueID(rawValue, prefix: "AIDA", count: 17) else { return nil }
        self.rawValue = rawValue
    }

    public static func random(using generator: inout some RandomNumberGenerator) -> UserID {
        UserID(rawValue: randomUniqueID(prefix: "AIDA", count: 17, using: &generator))!
    }

    public var description: String { self.rawValue }
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
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        return SecretAccessKey(value: String((0..<40).map { _ in alphabet[Int.random(in: 0..<64, using: &generator)] }))
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

/// A server certificate's unique ID: `ASCA` and 17 base32 characters.
public struct ServerCertificateID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init?(rawValue: String) {
        guard isUniqueID(rawValue, prefix: "ASCA", count: 17) else { return nil }
        self.rawValue = rawValue
    }

    public static func random(using generator: inout some RandomNumberGenerator) -> ServerCertificateID {
        ServerCertificateID(rawValue: randomUniqueID(prefix: "ASCA", count: 17, using: &generator))!
    }

    public var description: String { self.rawValue }
}

/// An IAM SSH public key's ID: `APKA` and 16 base32 characters, as every real one seen has.
public struct SSHPublicKeyID: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init?(rawValue: String) {
        guard isUniqueID(rawValue, prefix: "APKA", count: 16) else { return nil }
        self.rawValue = rawValue
    }

    public static func random(using generator: inout some RandomNumberGenerator) -> SSHPublicKeyID {
        SSHPublicKeyID(rawValue: randomUniqueID(prefix: "APKA", count: 16, using: &generator))!
    }

    public var description: String { self.rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
