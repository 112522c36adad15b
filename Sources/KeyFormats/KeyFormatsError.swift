/// An error thrown by the `KeyFormats` module.
///
/// Each error carries a ``code`` to match on, and a ``message`` that says in one sentence what is wrong with
/// the input. Messages describe structure only (lengths, names, formats); they never quote key material.
///
/// Equality and hashing consider the ``code`` alone, so tests can compare against a freshly made error.
public struct KeyFormatsError: Error, Hashable, CustomStringConvertible, Sendable {
    /// The kind of error that was encountered.
    public let code: Code
    /// A sentence that says what is wrong with the input, safe to show to a user.
    public let message: String
    private let file: String
    private let line: UInt

    private init(code: Code, message: String, file: String, line: UInt) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String {
        "KeyFormatsError.\(self.code): \(self.message) (\(self.file):\(self.line))"
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }

    /// The text is not in any encoding that this module understands (base64, PEM armour, a known header).
    public static func unrecognizedFormat(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .unrecognizedFormat, message: message, file: file, line: line)
    }

    /// The text is in a known encoding, but its base64 or PEM armour is damaged.
    public static func invalidEncoding(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .invalidEncoding, message: message, file: file, line: line)
    }

    /// A length field runs past the end of its data, or a structure ends early.
    public static func truncated(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .truncated, message: message, file: file, line: line)
    }

    /// Bytes are left over after a complete structure.
    public static func trailingData(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .trailingData, message: message, file: file, line: line)
    }

    /// The key is of an algorithm that is not supported (DSA, ECDSA, security-key types and others).
    public static func unsupportedKeyType(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .unsupportedKeyType, message: message, file: file, line: line)
    }

    /// The algorithm named inside a key blob differs from the one named outside it.
    public static func algorithmMismatch(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .algorithmMismatch, message: message, file: file, line: line)
    }

    /// The key's size is outside the supported range.
    public static func invalidKeySize(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .invalidKeySize, message: message, file: file, line: line)
    }

    /// An OpenSSH `authorized_keys` option prefix (such as `command="…"`) precedes the key.
    public static func optionsNotAllowed(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .optionsNotAllowed, message: message, file: file, line: line)
    }

    /// The input holds more than one key.
    public static func multipleKeys(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .multipleKeys, message: message, file: file, line: line)
    }

    /// The private key is protected by a passphrase, which this module does not take.
    public static func passphraseProtected(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .passphraseProtected, message: message, file: file, line: line)
    }

    /// The key's structure is well formed but its contents are inconsistent (a bad MAC, check value or number).
    public static func invalidKey(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .invalidKey, message: message, file: file, line: line)
    }

    /// A private key was needed, but the input holds only a public key.
    public static func privateKeyRequired(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .privateKeyRequired, message: message, file: file, line: line)
    }

    /// A public key was needed, but the input is a private key, which was not read.
    public static func publicKeyRequired(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .publicKeyRequired, message: message, file: file, line: line)
    }

    /// The operation is not possible with this key (for example RSA encryption with an Ed25519 key).
    public static func unsupportedOperation(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .unsupportedOperation, message: message, file: file, line: line)
    }

    /// The input is not a usable X.509 certificate.
    public static func invalidCertificate(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .invalidCertificate, message: message, file: file, line: line)
    }

    /// Decryption with a private key failed.
    public static func decryptionFailed(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .decryptionFailed, message: message, file: file, line: line)
    }
}

extension KeyFormatsError {
    /// The kind of a ``KeyFormatsError``; new kinds may be added in later versions.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case unrecognizedFormat, invalidEncoding, truncated, trailingData, unsupportedKeyType
            case algorithmMismatch, invalidKeySize, optionsNotAllowed, multipleKeys, passphraseProtected
            case invalidKey, privateKeyRequired, unsupportedOperation, invalidCertificate, decryptionFailed
            case publicKeyRequired
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// The code's name, such as `truncated`; stable, for fixtures and logs.
        public var description: String { self.backing.rawValue }

        /// Looks a code up by its ``description``.
        public init?(name: String) {
            guard let backing = Backing(rawValue: name) else { return nil }
            self.backing = backing
        }

        public static let unrecognizedFormat = Self(.unrecognizedFormat)
        public static let invalidEncoding = Self(.invalidEncoding)
        public static let truncated = Self(.truncated)
        public static let trailingData = Self(.trailingData)
        public static let unsupportedKeyType = Self(.unsupportedKeyType)
        public static let algorithmMismatch = Self(.algorithmMismatch)
        public static let invalidKeySize = Self(.invalidKeySize)
        public static let optionsNotAllowed = Self(.optionsNotAllowed)
        public static let multipleKeys = Self(.multipleKeys)
        public static let passphraseProtected = Self(.passphraseProtected)
        public static let invalidKey = Self(.invalidKey)
        public static let privateKeyRequired = Self(.privateKeyRequired)
        public static let publicKeyRequired = Self(.publicKeyRequired)
        public static let unsupportedOperation = Self(.unsupportedOperation)
        public static let invalidCertificate = Self(.invalidCertificate)
        public static let decryptionFailed = Self(.decryptionFailed)
    }
}

extension StringProtocol {
    /// The text made safe to quote in an error message: control characters become `?`, and it is cut to `limit`
    /// characters. Only names and labels are ever quoted, never key material.
    func quotedForMessage(limit: Int = 40) -> String {
        let cleaned = String(
            self.prefix(limit).map {
                $0.isNewline || ($0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false) ? "?" : $0
            }
        )
        return self.count > limit ? cleaned + "…" : cleaned
    }
}
