import AWSProtocol
import KeywayCore

/// Readers for the parameter shapes EC2 actions share: filters, tag lists and tag specifications.
extension QueryParameters {
    /// `Filter.N.Name` with `Filter.N.Value.M`.
    func filters() throws(AWSError) -> [Filter] {
        var filters: [Filter] = []
        var values = 0
        for structure in self.structures("Filter") {
            guard let name = structure["Name"], !name.isEmpty else { throw .missingParameter("Filter.Name") }
            let filter = Filter(name: name, values: structure.list("Value"))
            values += filter.values.count
            // EC2's cap on one call's filter values (docs/aws-behaviour.md), checked before any value is matched.
            guard values <= Filter.maximumValuesPerCall else {
                throw AWSError(
                    code: "FilterLimitExceeded",
                    message:
                        "The maximum number of filter values specified on a single call is \(Filter.maximumValuesPerCall)"
                )
            }
            filters.append(filter)
        }
        return filters
    }

    /// `Tag.N.Key` with `Tag.N.Value` (an absent value is the empty string).
    func tags(_ prefix: String = "Tag") throws(AWSError) -> [Tag] {
        var tags: [Tag] = []
        for structure in self.structures(prefix) {
            guard let key = structure["Key"] else { throw .missingParameter("\(prefix).Key") }
            tags.append(Tag(key: key, value: structure["Value"] ?? ""))
        }
        return tags
    }

    /// The tags of `TagSpecification.N` entries, each of which must be for `resourceType`.
    func tagSpecifications(for resourceType: String) throws(AWSError) -> [Tag] {
        var tags: [Tag] = []
        for specification in self.structures("TagSpecification") {
            let type = specification["ResourceType"] ?? ""
            guard type == resourceType else {
                throw AWSError(
                    code: "InvalidParameterValue",
                    message: "'\(type.quotedInMessage)' is not a valid taggable resource type for this operation."
                )
            }
            tags += try specification.tags()
        }
        return tags
    }
}

extension XMLWriter {
    /// `<tagSet>` with an `<item><key/><value/></item>` a tag; empty `<tagSet/>` when there are none.
    mutating func tagSet(_ tags: [Tag]) {
        guard !tags.isEmpty else {
            self.emptyElement("tagSet")
            return
        }
        self.element("tagSet") { writer in
            for tag in tags {
                writer.element("item") { writer in
                    writer.element("key", tag.key)
                    writer.element("value", tag.value)
                }
            }
        }
    }
}
