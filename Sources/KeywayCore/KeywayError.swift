/// An error of the Keyway domain: a rule was broken or a thing was not found.
///
/// Codes say what happened in domain terms; the per-service targets turn them into AWS codes and texts. The
/// ``subject`` is the name or ID the error is about, and the ``detail`` a sentence for cases the code alone does
/// not explain. Neither ever holds secret material.
public struct KeywayError: Error, Hashable, Sendable, CustomStringConvertible {
    public let code: Code
    /// The name, ID or parameter the error is about.
    public let subject: String
    /// A sentence that explains the error where the code does not.
    public let detail: String
    private let file: String
    private let line: UInt

    public init(_ code: Code, subject: String = "", detail: String = "", file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.subject = subject
        self.detail = detail
        self.file = file
        self.line = line
    }

    public var description: String {
        "KeywayError.\(self.code)(\(self.subject)): \(self.detail) (\(self.file):\(self.line))"
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code && lhs.subject == rhs.subject }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
        hasher.combine(self.subject)
    }

    /// The kind of a ``KeywayError``; new kinds may be added in later versions.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { self.name }

        /// A key pair with that name already exists in the account and region.
        public static let keyPairDuplicate = Code("keyPairDuplicate")
        /// No key pair has that name.
        public static let keyPairNotFound = Code("keyPairNotFound")
        /// No key pair has that ID.
        public static let keyPairIDNotFound = Code("keyPairIDNotFound")
        /// The public key material cannot be used; ``KeywayError/detail`` says why.
        public static let invalidPublicKey = Code("invalidPublicKey")
        /// The account has as many key pairs in the region as it may.
        public static let keyPairLimitExceeded = Code("keyPairLimitExceeded")
        /// The resource would have more tags than it may.
        public static let tagLimitExceeded = Code("tagLimitExceeded")
        /// A parameter's value breaks a rule; the subject names the parameter.
        public static let invalidParameterValue = Code("invalidParameterValue")
        /// A required parameter is missing; the subject names it.
        public static let missingParameter = Code("missingParameter")
        /// A resource ID is not of a valid form.
        public static let invalidResourceID = Code("invalidResourceID")
        /// A filter name is not supported by the call.
        public static let invalidFilter = Code("invalidFilter")
        /// A filter value is longer than allowed.
        public static let filterValueTooLong = Code("filterValueTooLong")
        /// No IAM user has that name in the account.
        public static let userNotFound = Code("userNotFound")
        /// An IAM user with that name (in any case) already exists in the account.
        public static let userDuplicate = Code("userDuplicate")
        /// The account has as many users as it may.
        public static let userLimitExceeded = Code("userLimitExceeded")
        /// The user still owns something (access keys, SSH keys) that must be deleted first.
        public static let deleteConflict = Code("deleteConflict")
        /// No access key has that ID for that user.
        public static let accessKeyNotFound = Code("accessKeyNotFound")
        /// The user already has as many access keys as allowed.
        public static let accessKeyLimitExceeded = Code("accessKeyLimitExceeded")
        /// The caller is authenticated but may not do this; the subject names the action.
        public static let accessDenied = Code("accessDenied")
        /// A certificate, chain or private key cannot be used; ``KeywayError/detail`` says why in AWS's words.
        public static let malformedCertificate = Code("malformedCertificate")
        /// The private key does not belong to the certificate.
        public static let keyPairMismatch = Code("keyPairMismatch")
        /// A server certificate with that name (in any case) already exists in the account.
        public static let certificateDuplicate = Code("certificateDuplicate")
        /// No server certificate has that name.
        public static let certificateNotFound = Code("certificateNotFound")
        /// The account has as many server certificates as it may.
        public static let certificateLimitExceeded = Code("certificateLimitExceeded")
        /// An SSH public key body is neither an `ssh-rsa` line nor a PEM public key.
        public static let unrecognizedPublicKeyEncoding = Code("unrecognizedPublicKeyEncoding")
        /// An SSH public key is malformed, not RSA, or too small.
        public static let invalidSSHPublicKey = Code("invalidSSHPublicKey")
        /// The user already has this SSH public key.
        public static let duplicateSSHPublicKey = Code("duplicateSSHPublicKey")
        /// No SSH public key has that ID for that user.
        public static let sshPublicKeyNotFound = Code("sshPublicKeyNotFound")
        /// The user has as many SSH public keys as allowed.
        public static let sshPublicKeyLimitExceeded = Code("sshPublicKeyLimitExceeded")
        /// No instance has that ID in the scope.
        public static let instanceNotFound = Code("instanceNotFound")
        /// An instance ID is not of a valid form (`i-` and 8 or 17 hexadecimal digits).
        public static let instanceIDMalformed = Code("instanceIDMalformed")
        /// An image ID is not of a valid form (`ami-` and 8 or 17 hexadecimal digits).
        public static let imageIDMalformed = Code("imageIDMalformed")
        /// The scope would hold more instances than its quota; the subject is how many more it may hold.
        public static let instanceLimitExceeded = Code("instanceLimitExceeded")
        /// No image of the catalogue has that ID.
        public static let imageNotFound = Code("imageNotFound")
        /// The instance is in a state that does not allow the operation; the detail says which.
        public static let incorrectInstanceState = Code("incorrectInstanceState")
        /// A client token was used before with different parameters.
        public static let idempotentParameterMismatch = Code("idempotentParameterMismatch")
        /// The parameters cannot be combined; the detail says why.
        public static let invalidParameterCombination = Code("invalidParameterCombination")
        /// An IAM path or path prefix breaks IAM's path rule; the subject names the parameter (`Path`, `NewPath`,
        /// `PathPrefix`).
        public static let invalidPath = Code("invalidPath")
        /// A list call's marker is not one this service handed out.
        public static let invalidMarker = Code("invalidMarker")
        /// One request names a tag key twice; the subject is the key, the detail the kind of resource (`user`
        /// compares keys regardless of case, `server certificate` exactly).
        public static let duplicateTagKeys = Code("duplicateTagKeys")
        /// A tag key or value begins with the reserved `aws:`; the subject is the key.
        public static let reservedTagPrefix = Code("reservedTagPrefix")
    }
}
