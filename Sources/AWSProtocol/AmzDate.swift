import Foundation

/// The SigV4 timestamp form `YYYYMMDDTHHMMSSZ` (UTC), as in `X-Amz-Date`.
public enum AmzDate {
    /// Formats a date, as AWS quotes times in its signature errors.
    public static func string(_ date: Date) -> String { AWSTimestamp.amzDate(date) }

    /// Parses `YYYYMMDDTHHMMSSZ` as UTC, or nil when malformed.
    public static func parse(_ text: String) -> Date? {
        ASCII.withBytes(text) { Self.parse(bytes: $0[...]) }
    }

    /// Parses `YYYYMMDDTHHMMSSZ` from UTF-8 bytes; this runs for every signed request.
    static func parse(bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Date? {
        let utf8 = UnsafeBufferPointer(rebasing: bytes)
        guard utf8.count == 16, utf8[8] == UInt8(ascii: "T"), utf8[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in utf8[range] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8), let hour = number(9..<11),
            let minute = number(11..<13), let second = number(13..<15), (1...12).contains(month),
            (1...31).contains(day),
            hour < 24, minute < 60, second < 61
        else { return nil }
        // Days from civil (Howard Hinnant), avoiding a Calendar per request.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3600 + minute * 60 + second))
    }
}
