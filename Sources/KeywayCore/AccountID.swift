/// A 12-digit AWS account ID.
public struct AccountID: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    /// Accepts exactly twelve ASCII digits.
    public init?(rawValue: String) {
        guard rawValue.utf8.count == 12, rawValue.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        self.rawValue = rawValue
    }

    /// A new random account ID that does not start with 0.
    public static func random(using generator: inout some RandomNumberGenerator) -> AccountID {
        let first = Int.random(in: 1...9, using: &generator)
        let rest = (0..<11).map { _ in String(Int.random(in: 0...9, using: &generator)) }.joined()
        return AccountID(rawValue: "\(first)\(rest)")!
    }

    public var description: String { self.rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
