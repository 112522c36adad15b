import AWSProtocol
import Foundation
import KeywayCore

extension EC2Service {
    /// DescribeKeyPairs: `KeyName.N`, `KeyPairId.N`, `Filter.N`, `IncludePublicKey`, `DryRun`.
    func describeKeyPairs(_ parameters: QueryParameters, context: Context) async throws -> String {
        let names = parameters.list("KeyName")
        let ids = parameters.list("KeyPairId")
        let filters = try parameters.filters()
        let includePublicKey = try parameters.bool("IncludePublicKey")
        try Self.checkDryRun(parameters)
        let pairs = try await self.keyPairs.describeKeyPairs(
            in: context.scope,
            names: names,
            ids: ids,
            filters: filters
        )
        return Self.response("DescribeKeyPairs", context: context) { writer in
            guard !pairs.isEmpty else {
                writer.emptyElement("keySet")
                return
            }
            writer.element("keySet") { writer in
                for pair in pairs {
                    writer.element("item") { writer in
                        writer.element("keyPairId", pair.id.rawValue)
                        writer.element("keyType", pair.keyType.rawValue)
                        writer.tagSet(pair.tags)
                        if includePublicKey { writer.element("publicKey", pair.publicKey) }
                        writer.element("createTime", AWSTimestamp.iso8601Milliseconds(pair.createTime))
                        writer.element("keyName", pair.name)
                        writer.element("keyFingerprint", pair.fingerprint)
                    }
                }
            }
        }
    }
}
