import KeyFormats

/// An error from the offline key tools: what could not be done, and with which file.
///
/// Its ``description`` is the single line the `keyway` command prints: `keyway: FILE: what is wrong`.
public struct KeyToolError: Error, Hashable, CustomStringConvertible, Sendable {
    /// The kind of error that was encountered.
    public let code: Code
    /// The file (or `-` for standard input, or an argument's name) the error is about.
    public let subject: String
    /// What is wrong, in one sentence.
    public let message: String

    private init(code: Code, subject: String, message: String) {
        self.code = code
        self.subject = subject
        self.message = message
    }

    /// One line, always: line breaks in a file name or message become spaces.
    public var description: String {
        "keyway: \(self.subject): \(self.message)".map { $0.isNewline ? " " : $0 }.reduce(into: "") { $0.append($1) }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }

    /// The input could not be read as a key or a fingerprint.
    public static func badInput(_ subject: String, _ message: String) -> Self {
        Self(code: .badInput, subject: subject, message: message)
    }

    /// The input was read, but the requested operation needs something it does not have.
    public static func unsupported(_ subject: String, _ message: String) -> Self {
        Self(code: .unsupported, subject: subject, message: message)
    }

    /// A file could not be read or written.
    public static func fileSystem(_ subject: String, _ message: String) -> Self {
        Self(code: .fileSystem, subject: subject, message: message)
    }

    /// Wraps a ``KeyFormatsError`` about a file.
    static func keyFormats(_ subject: String, _ error: KeyFormatsError) -> Self {
        Self(code: .badInput, subject: subject, message: error.message)
    }

    /// The kind of a ``KeyToolError``; new kinds may be added in later versions.
    public struct Code: Hashable, Sendable {
        private enum Backing: Hashable, Sendable { case badInput, unsupported, fileSystem }
        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        public static let badInput = Self(.badInput)
        public static let unsupported = Self(.unsupported)
        public static let fileSystem = Self(.fileSystem)
    }
}
