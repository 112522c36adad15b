/// An AWS region name such as `eu-west-1`.
public struct Region: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    /// Accepts names shaped like AWS's: lower-case words joined by `-`, ending in a number (`us-gov-west-1`).
    public init?(rawValue: String) {
        // One pass over the bytes: this runs for every request.
        guard rawValue.utf8.count <= 32 else { return nil }
        var parts = 1
        var length = 0
        var letters = true
        var digits = true
        for byte in rawValue.utf8 {
            if byte == UInt8(ascii: "-") {
                guard length > 0, letters else { return nil }
                parts += 1
                length = 0
                letters = true
                digits = true
            } else {
                length += 1
                letters = letters && byte &- 0x61 < 26
                digits = digits && byte &- 0x30 < 10
            }
        }
        guard parts >= 3, length > 0, digits else { return nil }
        self.rawValue = rawValue
    }

    public var description: String { self.rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The commercial regions AWS offers, which Keyway serves unless configured otherwise.
    public static let standard: [Region] = [
        "af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
        "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ca-central-1", "eu-central-1",
        "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
        "il-central-1", "me-central-1", "me-south-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    ].map { Region(rawValue: $0)! }

    /// `us-east-1`, for requests that carry no region.
    public static let usEast1 = Region(rawValue: "us-east-1")!
}
