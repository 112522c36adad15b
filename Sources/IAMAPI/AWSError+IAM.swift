import AWSProtocol
import KeywayCore

extension AWSError {
    /// The IAM code, message and status for a domain error, worded as AWS words them where that is known.
    init(iam error: KeywayError, caller: Principal) {
        switch error.code {
        case .userNotFound:
            self.init(code: "NoSuchEntity", message: "The user with name \(error.subject) cannot be found.", status: .notFound)
        case .userDuplicate:
            self.init(code: "EntityAlreadyExists", message: "User with name \(error.subject) already exists.", status: .conflict)
        case .userLimitExceeded:
            self.init(code: "LimitExceeded", message: "Cannot exceed quota for UsersPerAccount: \(error.subject)", status: .conflict)
        case .deleteConflict:
            // AWS's texts for leftover policies are known ("must delete policies first."); this follows them.
            self.init(code: "DeleteConflict", message: "Cannot delete entity, must delete \(error.detail) first.", status: .conflict)
        case .accessKeyNotFound:
            self.init(code: "NoSuchEntity", message: "The Access Key with id \(error.subject.prefix(128)) cannot be found.", status: .notFound)
        case .accessKeyLimitExceeded:
            self.init(code: "LimitExceeded", message: "Cannot exceed quota for AccessKeysPerUser: \(error.subject)", status: .conflict)
        case .accessDenied where error.subject == "iam:GetAccessKeyLastUsed":
            self.init(
                code: "AccessDenied",
                message: "User: \(caller.arn) is not authorized to perform iam:GetAccessKeyLastUsed on resource: \(error.detail)",
                status: .forbidden
            )
        case .accessDenied:
            self.init(
                code: "AccessDenied",
                message: "User: \(caller.arn) is not authorized to perform: \(error.subject) on resource: \(error.detail)",
                status: .forbidden
            )
        case .malformedCertificate:
            self.init(code: "MalformedCertificate", message: error.detail)
        case .keyPairMismatch:
            // Unconfirmed text; this is the one users report.
            self.init(code: "KeyPairMismatch", message: "Public key certificate and private key doesn't match.")
        case .certificateDuplicate:
            self.init(code: "EntityAlreadyExists", message: "The Server Certificate with name \(error.subject) already exists.", status: .conflict)
        case .certificateNotFound:
            self.init(code: "NoSuchEntity", message: "The Server Certificate with name \(error.subject) cannot be found.", status: .notFound)
        case .certificateLimitExceeded:
            self.init(code: "LimitExceeded", message: "Cannot exceed quota for ServerCertificatesPerAccount: \(error.subject)", status: .conflict)
        case .unrecognizedPublicKeyEncoding:
            self.init(
                code: "UnrecognizedPublicKeyEncoding",
                message: "The public key encoding format is unsupported or unrecognized. Give an ssh-rsa line or a PEM public key."
            )
        case .invalidSSHPublicKey:
            self.init(code: "InvalidPublicKey", message: "The public key is not valid: \(error.detail)")
        case .duplicateSSHPublicKey:
            self.init(code: "DuplicateSSHPublicKey", message: "The public key is already associated with user \(error.subject).")
        case .sshPublicKeyNotFound:
            self.init(code: "NoSuchEntity", message: "The Public Key with id \(error.subject.prefix(128)) cannot be found.", status: .notFound)
        case .sshPublicKeyLimitExceeded:
            self.init(code: "LimitExceeded", message: "Cannot exceed quota for SSHPublicKeysPerUser: \(error.subject)", status: .conflict)
        case .invalidParameterValue where error.detail.hasPrefix("Must specify"):
            self.init(code: "ValidationError", message: error.detail)
        case .invalidParameterValue:
            self.init(
                code: "ValidationError",
                message: "1 validation error detected: Value at '\(error.subject.lowerCamelCased)' failed to satisfy constraint: Member \(error.detail)"
            )
        case .missingParameter:
            self.init(
                code: "ValidationError",
                message: "1 validation error detected: Value null at '\(error.subject.lowerCamelCased)' failed to satisfy constraint: Member must not be null"
            )
        default:
            self = .serviceFailure(cause: error.description)
        }
    }

    /// The IAM and STS answer to a refused signature (AWS API spec §7.8).
    public static func queryAuthentication(_ failure: SignatureV4Failure) -> AWSError {
        switch failure {
        case .missingAuthentication:
            AWSError(code: "MissingAuthenticationToken", message: "Request is missing Authentication Token", status: .forbidden)
        case .incompleteSignature(let reason):
            AWSError(code: "IncompleteSignature", message: reason)
        case .unknownAccessKey:
            AWSError(code: "InvalidClientTokenId", message: "The security token included in the request is invalid.", status: .forbidden)
        case .signatureMismatch:
            AWSError(
                code: "SignatureDoesNotMatch",
                message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
                status: .forbidden
            )
        case .expired(let signed, let now):
            AWSError(
                code: "SignatureDoesNotMatch",
                message: "Signature expired: \(AmzDate.string(signed)) is now earlier than \(AmzDate.string(now.addingTimeInterval(-SignedRequest.allowedSkew))) (\(AmzDate.string(now)) - 15 min.)",
                status: .forbidden
            )
        case .notYetCurrent(let signed, let now):
            AWSError(
                code: "SignatureDoesNotMatch",
                message: "Signature not yet current: \(AmzDate.string(signed)) is still later than \(AmzDate.string(now.addingTimeInterval(SignedRequest.allowedSkew))) (\(AmzDate.string(now)) + 15 min.)",
                status: .forbidden
            )
        case .presignedURLExpired:
            AWSError(code: "AccessDenied", message: "Request has expired", status: .forbidden)
        case .internalFailure(let cause):
            AWSError.serviceFailure(cause: cause)
        }
    }
}

extension String {
    /// `UserName` → `userName`, as AWS names members in validation messages.
    var lowerCamelCased: String {
        guard let first = self.first else { return self }
        return first.lowercased() + self.dropFirst()
    }
}
