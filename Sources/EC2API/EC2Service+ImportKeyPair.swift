import AWSProtocol
import Foundation
import KeywayCore

extension EC2Service {
    /// ImportKeyPair: `KeyName`, `PublicKeyMaterial` (base64 of the key file's bytes), `TagSpecification.N`, `DryRun`.
    func importKeyPair(_ parameters: QueryParameters, context: Context) async throws -> String {
        let name = try parameters.required("KeyName")
        let encoded = try parameters.required("PublicKeyMaterial")
        let tags = try parameters.tagSpecifications(for: KeyPairService.keyPairResourceType)
        try KeyPair.validateName(name)
        // botocore sends the blob as padded base64 without line breaks; tolerate breaks from hand-made requests.
        guard let material = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters), !material.isEmpty else {
            throw AWSError(code: "InvalidKey.Format", message: "Key is not in valid OpenSSH public key format")
        }
        try Self.checkDryRun(parameters)
        let keyPair = try await self.keyPairs.importKeyPair(
            in: context.scope,
            name: name,
            publicKeyMaterial: Array(material),
            tags: tags
        )
        return Self.response("ImportKeyPair", context: context) { writer in
            writer.element("keyFingerprint", keyPair.fingerprint)
            writer.element("keyName", keyPair.name)
            writer.element("keyPairId", keyPair.id.rawValue)
            if !tags.isEmpty { writer.tagSet(keyPair.tags) }
        }
    }
}
