import Foundation

/// The timestamp forms AWS APIs write, in UTC, computed without a formatter or calendar per call.
public enum AWSTimestamp {
    /// EC2's form, with milliseconds: `2022-04-28T11:37:26.000Z`.
    public static func iso8601Milliseconds(_ date: Date) -> String {
        let c = Self.components(date)
        return String(format: "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ", c.year, c.month, c.day, c.hour, c.minute, c.second, c.millisecond)
    }

    /// IAM's form, whole seconds: `2026-02-19T18:34:51Z`.
    public static func iso8601Seconds(_ date: Date) -> String {
        let c = Self.components(date)
        return String(format: "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", c.year, c.month, c.day, c.hour, c.minute, c.second)
    }

    /// SigV4's form, `20150830T123600Z`.
    public static func amzDate(_ date: Date) -> String {
        let c = Self.components(date)
        return String(format: "%04lld%02lld%02lldT%02lld%02lld%02lldZ", c.year, c.month, c.day, c.hour, c.minute, c.second)
    }

    private struct Components {
        var year, month, day, hour, minute, second, millisecond: Int64
    }

    /// The civil date and time of an instant (Howard Hinnant's days-to-civil algorithm).
    private static func components(_ date: Date) -> Components {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
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
            year: year, month: month, day: day, hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60,
            second: secondOfDay % 60, millisecond: millisecond
        )
    }
}
