import AWSProtocol
import KeywayCore

extension AWSError {
    /// The EC2 code, message and status for a domain error, worded as AWS words them where that is known.
    init(ec2 error: KeywayError) {
        switch error.code {
        case .keyPairDuplicate:
            self.init(code: "InvalidKeyPair.Duplicate", message: "The keypair '\(error.subject)' already exists.")
        case .keyPairNotFound:
            self.init(code: "InvalidKeyPair.NotFound", message: "The key pair '\(error.subject)' does not exist")
        case .keyPairIDNotFound:
            self.init(code: "InvalidKeyPair.NotFound", message: "The key pair ID '\(error.subject)' does not exist")
        case .invalidPublicKey:
            // AWS's exact text; the reason is in `detail`, which the server logs.
            self.init(code: "InvalidKey.Format", message: "Key is not in valid OpenSSH public key format")
        case .keyPairLimitExceeded:
            // Unconfirmed: AWS documents the quota but not its error; this is EC2's generic limit code.
            self.init(
                code: "ResourceLimitExceeded",
                message: "You have reached the maximum number of key pairs (\(error.subject)) allowed in this Region."
            )
        case .tagLimitExceeded:
            self.init(code: "TagLimitExceeded", message: "The maximum number of Tags for a resource has been reached.")
        case .missingParameter:
            self = .missingParameter(error.subject)
        case .invalidResourceID:
            self.init(code: "InvalidID", message: "The ID '\(error.subject.quotedInMessage)' is not valid")
        case .invalidFilter:
            self.init(
                code: "InvalidParameterValue",
                message: "The filter '\(error.subject.quotedInMessage)' is invalid"
            )
        case .filterValueTooLong:
            self.init(code: "FilterLimitExceeded", message: "The maximum length for a filter value is 255 characters")
        case .instanceNotFound:
            self.init(
                code: "InvalidInstanceID.NotFound",
                message: "The instance ID '\(error.subject.quotedInMessage)' does not exist"
            )
        case .instanceIDMalformed:
            self.init(
                code: "InvalidInstanceID.Malformed",
                message: "Invalid id: \"\(error.subject.quotedInMessage)\" (expecting \"i-...\")"
            )
        case .imageIDMalformed:
            self.init(
                code: "InvalidAMIID.Malformed",
                message: "Invalid id: \"\(error.subject.quotedInMessage)\" (expecting \"ami-...\")"
            )
        case .instanceLimitExceeded:
            self.init(code: "InstanceLimitExceeded", message: error.detail)
        case .imageNotFound:
            self.init(
                code: "InvalidAMIID.NotFound",
                message: "The image id '[\(error.subject.quotedInMessage)]' does not exist"
            )
        case .incorrectInstanceState:
            self.init(code: "IncorrectInstanceState", message: error.detail)
        case .idempotentParameterMismatch:
            self.init(
                code: "IdempotentParameterMismatch",
                message:
                    "The client token you have provided is associated with a resource that is already deleted or that has different parameters."
            )
        case .invalidParameterCombination:
            self.init(code: "InvalidParameterCombination", message: error.detail)
        case .accessDenied:
            self.init(
                code: "UnauthorizedOperation",
                message: "You are not authorized to perform this operation.",
                status: .forbidden
            )
        case .invalidParameterValue:
            self.init(
                code: "InvalidParameterValue",
                message: "Invalid value for parameter \(error.subject): \(error.detail)"
            )
        default:
            self = .internalError(cause: error.description)
        }
    }
}

extension AWSError {
    /// EC2's answer to a refused signature (AWS API spec §7.8): `AuthFailure` 401 for a bad key or signature, and
    /// `RequestExpired` for a time outside the window, where IAM says `SignatureDoesNotMatch`.
    public static func ec2Authentication(_ failure: SignatureV4Failure) -> AWSError {
        switch failure {
        case .missingAuthentication:
            AWSError(
                code: "MissingAuthenticationToken",
                message: "The request must contain either a valid (registered) AWS access key ID or X.509 certificate.",
                status: .forbidden
            )
        case .incompleteSignature(let reason):
            AWSError(code: "IncompleteSignature", message: reason)
        case .unknownAccessKey, .signatureMismatch:
            AWSError(
                code: "AuthFailure",
                message: "AWS was not able to validate the provided access credentials",
                status: .unauthorized
            )
        case .expired, .notYetCurrent, .presignedURLExpired:
            AWSError(code: "RequestExpired", message: "Request has expired.")
        case .internalFailure(let cause):
            AWSError.internalError(cause: cause)
        }
    }
}
