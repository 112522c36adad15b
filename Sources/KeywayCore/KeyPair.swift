import Foundation
import KeyFormats

/// An EC2 key pair as stored: the public half and what EC2 reports about it. The private key is never part of it.
public struct KeyPair: Hashable, Sendable {
    public var id: KeyPairID
    public var scope: Scope
    public var name: String
    public var keyType: KeyType
    /// The fingerprint EC2 shows: created RSA keys SHA-1/PKCS#8, imported RSA MD5/SPKI, Ed25519 base64 SHA-256.
    public var fingerprint: String
    /// The OpenSSH public line, with the key name as its comment.
    public var publicKey: String
    /// Creation or import time, to the millisecond.
    public var createTime: Date
    /// User tags, in the order they were first set.
    public var tags: [Tag]

    public init(
        id: KeyPairID,
        scope: Scope,
        name: String,
        keyType: KeyType,
        fingerprint: String,
        publicKey: String,
        createTime: Date,
        tags: [Tag]
    ) {
        self.id = id
        self.scope = scope
        self.name = name
        self.keyType = keyType
        self.fingerprint = fingerprint
        self.publicKey = publicKey
        self.createTime = createTime
        self.tags = tags
    }

    /// The longest key name EC2 accepts.
    public static let maximumNameLength = 255
    /// Key pairs an account may have in one region (EC2's default quota).
    public static let defaultLimitPerRegion = 5000

    /// Checks a key name: 1 to 255 ASCII characters, no control characters, and no space at either end.
    ///
    /// AWS documents ASCII only; leading and trailing spaces are refused by its console and here (a name that
    /// differs from another only by a trailing space is a trap in scripts).
    public static func validateName(_ name: String) throws(KeywayError) {
        guard !name.isEmpty else {
            throw KeywayError(.missingParameter, subject: "KeyName")
        }
        guard name.utf8.count <= Self.maximumNameLength,
            name.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }),
            name.first != " ", name.last != " "
        else {
            throw KeywayError(
                .invalidParameterValue,
                subject: "KeyName",
                detail: "Key names are 1 to 255 printable ASCII characters with no leading or trailing space."
            )
        }
    }
}
