import AWSProtocol
import Foundation
import Testing

@Suite struct AWSTimestampTests {
    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00.000Z", "19700101T000000Z"),
        (1_440_938_160.5, "2015-08-30T12:36:00.500Z", "20150830T123600Z"),
        (951_782_400.0, "2000-02-29T00:00:00.000Z", "20000229T000000Z"),
        (4_107_542_399.999, "2100-02-28T23:59:59.999Z", "21000228T235959Z"),
    ])
    func formats(_ seconds: Double, _ ec2: String, _ amz: String) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(AWSTimestamp.iso8601Milliseconds(date) == ec2)
        #expect(AWSTimestamp.iso8601Seconds(date) == String(ec2.prefix(19)) + "Z")
        #expect(AWSTimestamp.amzDate(date) == amz)
        #expect(AmzDate.parse(amz) == Date(timeIntervalSince1970: seconds.rounded(.down)))
    }
}
