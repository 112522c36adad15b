import AWSProtocol
import KeywayCore

extension EC2Service {
    /// DeleteKeyPair: `KeyName` or `KeyPairId`, `DryRun`.
    ///
    /// A missing key pair still answers `<return>true</return>`, without `keyPairId`, as AWS does for names. For an
    /// unknown ID AWS's answer is unconfirmed; the same idempotent answer is given. With both parameters the ID
    /// decides. With neither: `MissingParameter` for `KeyName`.
    func deleteKeyPair(_ parameters: QueryParameters, context: Context) async throws -> String {
        let name = parameters["KeyName"].flatMap { $0.isEmpty ? nil : $0 }
        let id = parameters["KeyPairId"].flatMap { $0.isEmpty ? nil : $0 }
        guard name != nil || id != nil else { throw AWSError.missingParameter("KeyName") }
        try Self.checkDryRun(parameters)
        let deleted = try await self.keyPairs.deleteKeyPair(in: context.scope, name: name, id: id)
        return Self.response("DeleteKeyPair", context: context) { writer in
            writer.element("return", true)
            writer.element("keyPairId", ifPresent: deleted?.id.rawValue)
        }
    }
}
