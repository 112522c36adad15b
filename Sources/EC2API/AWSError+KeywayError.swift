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
            self.init(code: "InvalidID", message: "The ID '\(error.subject.prefix(100))' is not valid")
        case .invalidFilter:
            self.init(code: "InvalidParameterValue", message: "The filter '\(error.subject.prefix(100))' is invalid")
        case .filterValueTooLong:
            self.init(code: "FilterLimitExceeded", message: "The maximum length for a filter value is 255 characters")
        case .invalidParameterValue:
            self.init(code: "InvalidParameterValue", message: "Invalid value for parameter \(error.subject): \(error.detail)")
        default:
            self = .internalError()
        }
    }
}
