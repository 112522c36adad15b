import AWSProtocol
import KeywayCore

extension AWSError {
    /// The IAM code, message and status for a domain error, worded as AWS words them where that is known.
    init(iam error: KeywayError, caller: Principal) {
        switch error.code {
        case .userNotFound:
            self.init(
                code: "NoSuchEntity",
                message: "The user with name \(error.subject) cannot be found.",
                status: .notFound
            )
        case .userDuplicate:
            self.init(
                code: "EntityAlreadyExists",
                message: "User with name \(error.subject) already exists.",
                status: .conflict
            )
        case .userLimitExceeded:
            self.init(
                code: "LimitExceeded",
                message: "Cannot exceed quota for UsersPerAccount: \(error.subject)",
                status: .conflict
            )
        case .deleteConflict:
            // AWS's texts for leftover policies are known ("must delete policies first."); this follows them.
            self.init(
                code: "DeleteConflict",
                message: "Cannot delete entity, must delete \(error.detail) first.",
                status: .conflict
            )
        case .accessKeyNotFound:
            self.init(
                code: "NoSuchEntity",
                message: "The Access Key with id \(error.subject.prefix(128)) cannot be found.",
                status: .notFound
            )
        case .accessKeyLimitExceeded:
            self.init(
                code: "LimitExceeded",
                message: "Cannot exceed quota for AccessKeysPerUser: \(error.subject)",
                status: .conflict
            )
        case .accessDenied where error.subject == "iam:GetAccessKeyLastUsed":
            self.init(
                code: "AccessDenied",
                message:
                    "User: \(caller.arn) is not authorized to perform iam:GetAccessKeyLastUsed on resource: \(error.detail)",
                status: .forbidden
            )
        case .accessDenied:
            self.init(
                code: "AccessDenied",
                message:
                    "User: \(caller.arn) is not authorized to perform: \(error.subject) on resource: \(error.detail)",
                status: .forbidden
            )
        case .malformedCertificate:
            self.init(code: "MalformedCertificate", message: error.detail)
        case .keyPairMismatch:
            // Unconfirmed text; this is the one users report.
            self.init(code: "KeyPairMismatch", message: "Public key certificate and private key doesn't match.")
        case .certificateDuplicate:
            self.init(
                code: "EntityAlreadyExists",
                message: "The Server Certificate with name \(error.subject) already exists.",
                status: .conflict
            )
        case .certificateNotFound:
            self.init(
                code: "NoSuchEntity",
                message: "The Server Certificate with name \(error.subject) cannot be found.",
                status: .notFound
            )
        case .certificateLimitExceeded:
            self.init(
                code: "LimitExceeded",
                message: "Cannot exceed quota for ServerCertificatesPerAccount: \(error.subject)",
                status: .conflict
            )
        case .unrecognizedPublicKeyEncoding:
            self.init(
                code: "UnrecognizedPublicKeyEncoding",
                message:
                    "The public key encoding format is unsupported or unrecognized. Give an ssh-rsa line or a PEM public key."
            )
        case .invalidSSHPublicKey:
            self.init(code: "InvalidPublicKey", message: "The public key is not valid: \(error.detail)")
        case .duplicateSSHPublicKey:
            self.init(
                code: "DuplicateSSHPublicKey",
                message: "The public key is already associated with user \(error.subject)."
            )
        case .sshPublicKeyNotFound:
            self.init(
                code: "NoSuchEntity",
                message: "The Public Key with id \(error.subject.prefix(128)) cannot be found.",
                status: .notFound
            )
        case .sshPublicKeyLimitExceeded:
            self.init(
                code: "LimitExceeded",
                message: "Cannot exceed quota for SSHPublicKeysPerUser: \(error.subject)",
                status: .conflict
            )
        case .tagLimitExceeded:
            // AWS's text when a tag would pass the 50 an IAM resource may have (TagOpenIDConnectProvider, recorded
            // February 2026 in LocalStack's AWS snapshots); IAM tags users the same way.
            self.init(
                code: "LimitExceeded",
                message: "The number of tags has reached the maximum limit.",
                status: .conflict
            )
        case .duplicateTagKeys where error.detail == "user":
            // AWS's text for users and roles, whose tag keys compare regardless of case (CreateRole/TagRole, recorded
            // February 2026; terraform-aws-github-runner#1346).
            self.init(
                code: "InvalidInput",
                message: "Duplicate tag keys found. Please note that Tag keys are case insensitive."
            )
        case .duplicateTagKeys:
            // AWS's text for resources with case-sensitive keys (LocalStack's AWS snapshots).
            self.init(code: "InvalidInput", message: "Duplicate tag keys found.")
        case .reservedTagPrefix:
            // The rule is documented (id_tags: no key or value may begin with aws:); AWS's text for it is unknown.
            self.init(
                code: "InvalidInput",
                message: "Tag keys and values beginning with aws: are reserved for AWS use."
            )
        case .invalidPath where error.subject.hasSuffix("Prefix"):
            // AWS's text (ListPolicies, aws-cli#5860); ListUsers takes a prefix that does not end with / (/test-life).
            self.init(
                code: "ValidationError",
                message:
                    "The specified value for \(error.subject.lowerCamelCased) is invalid. It must begin with the / character and contain only alphanumeric characters and/or / characters."
            )
        case .invalidPath:
            // AWS's text and code, whatever is wrong besides the length (CreateVirtualMFADevice with `invalid-path/`
            // and `/invalid-path`, recorded February 2026; cfn-lint#722 for roles).
            self.init(
                code: "ValidationError",
                message:
                    "The specified value for \(error.subject.lowerCamelCased) is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters."
            )
        case .invalidMarker:
            // AWS's text (ListVirtualMFADevices with an invalid marker, recorded February 2026).
            self.init(code: "ValidationError", message: "Invalid Marker.")
        case .invalidParameterValue:
            // Normally caught first by `IAMValidation`, in the same words.
            self.init(
                code: "ValidationError",
                message:
                    "1 validation error detected: Value at '\(error.subject.lowerCamelCased)' failed to satisfy constraint: Member \(error.detail)"
            )
        case .missingParameter:
            self.init(
                code: "ValidationError",
                message:
                    "1 validation error detected: Value at '\(error.subject.lowerCamelCased)' failed to satisfy constraint: Member must not be null"
            )
        default:
            self = .serviceFailure(cause: error.description)
        }
    }

    /// The IAM and STS answer to a refused signature (AWS API spec §7.8).
    public static func queryAuthentication(_ failure: SignatureV4Failure) -> AWSError {
        switch failure {
        case .missingAuthentication:
            AWSError(
                code: "MissingAuthenticationToken",
                message: "Request is missing Authentication Token",
                status: .forbidden
            )
        case .incompleteSignature(let reason):
            AWSError(code: "IncompleteSignature", message: reason)
        case .unknownAccessKey:
            AWSError(
                code: "InvalidClientTokenId",
                message: "The security token included in the request is invalid.",
                status: .forbidden
            )
        case .signatureMismatch:
            AWSError(
                code: "SignatureDoesNotMatch",
                message:
                    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
                status: .forbidden
            )
        case .expired(let signed, let now):
            AWSError(
                code: "SignatureDoesNotMatch",
                message:
                    "Signature expired: \(AmzDate.string(signed)) is now earlier than \(AmzDate.string(now.addingTimeInterval(-SignedRequest.allowedSkew))) (\(AmzDate.string(now)) - 15 min.)",
                status: .forbidden
            )
        case .notYetCurrent(let signed, let now):
            AWSError(
                code: "SignatureDoesNotMatch",
                message:
                    "Signature not yet current: \(AmzDate.string(signed)) is still later than \(AmzDate.string(now.addingTimeInterval(SignedRequest.allowedSkew))) (\(AmzDate.string(now)) + 15 min.)",
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
