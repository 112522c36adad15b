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
        let pairs = try await self.keyPairs.describeKeyPairs(in: context.scope, names: names, ids: ids, filters: filters)
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
                        writer.element("createTime", EC2Timestamp.string(from: pair.createTime))
                        writer.element("keyName", pair.name)
                        writer.element("keyFingerprint", pair.fingerprint)
                    }
                }
            }
        }
    }
}

/// EC2's timestamps: ISO 8601 in UTC with milliseconds, `2022-04-28T11:37:26.000Z`.
enum EC2Timestamp {
    static func string(from date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = milliseconds / 1000
        let fraction = milliseconds % 1000
        var days = seconds / 86_400
        seconds %= 86_400
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm), to avoid a formatter per call.
        days += 719_468
        let era = days / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(fraction, 3))Z"
    }
}
