import Foundation

/// The timestamp forms AWS APIs write, in UTC, computed without a formatter or calendar per call.
public enum AWSTimestamp {
    /// EC2's form, with milliseconds: `2022-04-28T11:37:26.000Z`.
    public static func iso8601Milliseconds(_ date: Date) -> String {
        let c = Self.components(date)
        return Self.format([
            (c.year, 4, "-"), (c.month, 2, "-"), (c.day, 2, "T"), (c.hour, 2, ":"), (c.minute, 2, ":"),
            (c.second, 2, "."), (c.millisecond, 3, "Z"),
        ])
    }

    /// IAM's form, whole seconds: `2026-02-19T18:34:51Z`.
    public static func iso8601Seconds(_ date: Date) -> String {
        let c = Self.components(date)
        return Self.format([
            (c.year, 4, "-"), (c.month, 2, "-"), (c.day, 2, "T"), (c.hour, 2, ":"), (c.minute, 2, ":"),
            (c.second, 2, "Z"),
        ])
    }

    /// SigV4's form, `20150830T123600Z`.
    public static func amzDate(_ date: Date) -> String {
        let c = Self.components(date)
        return Self.format([
            (c.year, 4, nil), (c.month, 2, nil), (c.day, 2, "T"), (c.hour, 2, nil), (c.minute, 2, nil),
            (c.second, 2, "Z"),
        ])
    }

    /// Writes each value zero-padded to its width, followed by its separator (ASCII), without a formatter: these run
    /// for every key pair in every DescribeKeyPairs answer.
    private static func format(_ fields: [(value: Int64, width: Int, separator: Unicode.Scalar?)]) -> String {
        String(unsafeUninitializedCapacity: 32) { buffer in
            var index = 0
            for field in fields {
                var value = field.value
                // Years outside 0...9999 do not occur in AWS timestamps; clamp rather than overflow the width.
                if value < 0 { value = 0 }
                var divisor: Int64 = 1
                for _ in 1..<field.width { divisor *= 10 }
                value = min(value, divisor * 10 - 1)
                while divisor > 0 {
                    buffer[index] = UInt8(ascii: "0") + UInt8(value / divisor % 10)
                    index += 1
                    divisor /= 10
                }
                if let separator = field.separator {
                    buffer[index] = UInt8(ascii: separator)
                    index += 1
                }
            }
            return index
        }
    }

    private struct Components {
        var year, month, day, hour, minute, second, millisecond: Int64
    }

    /// The civil date and time of an instant (Howard Hinnant's days-to-civil algorithm).
    private static func components(_ date: Date) -> Components {
        let raw = (date.timeIntervalSince1970 * 1000).rounded(.down)
        // ISO 8601 as AWS writes it has four-digit years: clamp to years 1–9999 (and NaN to 1970) instead of trapping.
        let milliseconds = raw.isFinite ? Int64(min(max(raw, -62_135_596_800_000), 253_402_300_799_999)) : 0
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let millisecond = milliseconds - seconds * 1000
        var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return Components(
            year: year,
            month: month,
            day: day,
            hour: secondOfDay / 3600,
            minute: secondOfDay / 60 % 60,
            second: secondOfDay % 60,
            millisecond: millisecond
        )
    }
}
