import AWSProtocol
import KeyFormats
import KeywayCore

extension EC2Service {
    /// CreateKeyPair: `KeyName`, `KeyType` (rsa | ed25519), `KeyFormat` (pem | ppk), `TagSpecification.N`, `DryRun`.
    ///
    /// The response carries the private key once; it is not stored, logged or kept after the response is written.
    func createKeyPair(_ parameters: QueryParameters, context: Context) async throws -> String {
        let name = try parameters.required("KeyName")
        let type = try Self.enumeration(parameters, "KeyType", default: KeyType.rsa)
        let format = try Self.enumeration(parameters, "KeyFormat", default: KeyPairService.PrivateKeyFormat.pem)
        let tags = try parameters.tagSpecifications(for: KeyPairService.keyPairResourceType)
        try KeyPair.validateName(name)
        try Self.checkDryRun(parameters)
        let created = try await self.keyPairs.createKeyPair(
            in: context.scope,
            name: name,
            type: type,
            format: format,
            tags: tags
        )
        return Self.response("CreateKeyPair", context: context) { writer in
            writer.element("keyPairId", created.keyPair.id.rawValue)
            writer.element("keyName", created.keyPair.name)
            writer.element("keyFingerprint", created.keyPair.fingerprint)
            writer.element("keyMaterial", created.keyMaterial)
            if !tags.isEmpty { writer.tagSet(created.keyPair.tags) }
        }
    }

    /// Reads an enumerated parameter; a value outside the enumeration is `InvalidParameterValue`.
    static func enumeration<T: RawRepresentable & CaseIterable>(
        _ parameters: QueryParameters,
        _ name: String,
        default defaultValue: T
    ) throws(AWSError) -> T where T.RawValue == String {
        guard let text = parameters[name] else { return defaultValue }
        guard let value = T(rawValue: text) else {
            let valid = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw AWSError(
                code: "InvalidParameterValue",
                message: "Value (\(text.quotedInMessage)) for parameter \(name) is invalid. Valid values: \(valid)"
            )
        }
        return value
    }
}
