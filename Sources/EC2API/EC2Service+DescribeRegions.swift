import AWSProtocol
import KeywayCore

extension EC2Service {
    /// DescribeRegions: `RegionName.N`, `Filter.N` (`region-name`, `endpoint`, `opt-in-status`), `AllRegions`,
    /// `DryRun`. Lists the regions this Keyway serves, each opted in.
    func describeRegions(_ parameters: QueryParameters, context: Context) throws -> String {
        let names = parameters.list("RegionName")
        let filters = try parameters.filters()
        _ = try parameters.bool("AllRegions")
        for filter in filters {
            try filter.validate(supported: ["region-name", "endpoint", "opt-in-status"])
        }
        try Self.checkDryRun(parameters)
        if let unknown = names.first(where: { name in !self.regions.contains { $0.rawValue == name } }) {
            throw AWSError(code: "InvalidParameterValue", message: "Invalid region: \(unknown.quotedInMessage)")
        }
        let selected = self.regions.filter { region in
            let endpoint = "ec2.\(region.rawValue).amazonaws.com"
            return (names.isEmpty || names.contains(region.rawValue))
                && filters.allSatisfy { filter in
                    switch filter.name {
                    case "region-name": filter.matches(region.rawValue)
                    case "endpoint": filter.matches(endpoint)
                    default: filter.matches("opt-in-not-required")
                    }
                }
        }
        return Self.response("DescribeRegions", context: context) { writer in
            writer.element("regionInfo") { writer in
                for region in selected {
                    writer.element("item") { writer in
                        writer.element("regionName", region.rawValue)
                        writer.element("regionEndpoint", "ec2.\(region.rawValue).amazonaws.com")
                        writer.element("optInStatus", "opt-in-not-required")
                    }
                }
            }
        }
    }
}
