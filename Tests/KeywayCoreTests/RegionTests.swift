import KeywayCore
import Testing

@Suite struct RegionTests {
    @Test(arguments: ["us-east-1", "us-gov-west-1", "ap-southeast-4", "eu-central-12"])
    func acceptsAWSShapedNames(_ name: String) {
        #expect(Region(rawValue: name)?.rawValue == name)
    }

    @Test(arguments: [
        "", "us-east", "us-1", "US-east-1", "us--1", "-us-east-1", "us-east-1a", "us-east-", "us-east-1-", "us_east-1",
        "us-east-١", "us-éast-1", String(repeating: "a-", count: 16) + "1",
    ])
    func refusesOtherNames(_ name: String) {
        #expect(Region(rawValue: name) == nil)
    }
}
