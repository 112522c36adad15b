/// An error of the `KeywayStorage` module: the database could not be opened, migrated or used.
///
/// Domain outcomes (a duplicate name, a limit) are ``KeywayCore/KeywayError``s; this error is for faults of the
/// store itself, which the server reports as internal errors.
public struct KeywayStorageError: Error, Hashable, Sendable, CustomStringConvertible {
    public let code: Code
    /// What went wrong, in one sentence for the operator; never holds a secret.
    public let reason: String

    public init(_ code: Code, reason: String) {
        self.code = code
        self.reason = reason
    }

    /// A file in the data folder could not be written.
    public static func cannotWrite(_ path: String) -> KeywayStorageError {
        KeywayStorageError(.cannotWrite, reason: "cannot write \(path)")
    }

    public var description: String { "KeywayStorageError.\(self.code): \(self.reason)" }
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }

    /// The kind of a ``KeywayStorageError``; new kinds may be added in later versions.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { self.name }

        /// The data folder or the database file could not be opened or created.
        public static let cannotOpen = Code("cannotOpen")
        /// A stored row does not hold what the schema promises.
        public static let corruptRow = Code("corruptRow")
        /// The database was written by a newer Keyway, with migrations this one does not know.
        public static let unknownMigration = Code("unknownMigration")
        /// A file in the data folder could not be written.
        public static let cannotWrite = Code("cannotWrite")
        /// The database holds sealed secrets but no master key was given (no `master.key`, no `KEYWAY_MASTER_KEY`).
        public static let masterKeyMissing = Code("masterKeyMissing")
        /// The master key given does not open the secrets the database holds.
        public static let masterKeyMismatch = Code("masterKeyMismatch")
    }
}
