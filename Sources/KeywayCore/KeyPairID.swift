/// An EC2 key pair ID: `key-` and 17 lower-case hexadecimal digits.
public struct KeyPairID: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    /// Accepts exactly the EC2 form.
    public init?(rawValue: String) {
        guard rawValue.utf8.count == 21, rawValue.hasPrefix("key-"),
            rawValue.utf8.dropFirst(4).allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { return nil }
        self.rawValue = rawValue
    }

    /// A new random ID.
    public static func random(using generator: inout some RandomNumberGenerator) -> KeyPairID {
        KeyPairID(rawValue: "key-" + RandomCharacters.string(count: 17, from: RandomCharacters.hex, using: &generator))!
    }

    public var description: String { self.rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
