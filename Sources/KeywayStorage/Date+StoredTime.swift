import Foundation

extension Date {
    /// Whole seconds since 1970 as the stores keep them. Never traps: a date outside what an `Int64` holds (or not a
    /// number at all) is clamped, so a bad clock can at worst store a wrong time, never stop the server.
    var storedSeconds: Int64 { Self.clampedInt64(self.timeIntervalSince1970.rounded(.down)) }

    /// Whole milliseconds since 1970, clamped like ``storedSeconds``.
    var storedMilliseconds: Int64 { Self.clampedInt64((self.timeIntervalSince1970 * 1000).rounded(.down)) }

    private static func clampedInt64(_ value: Double) -> Int64 {
        guard value.isFinite else { return 0 }
        // 2^63 is exactly representable; anything at or beyond it does not fit.
        if value >= 9_223_372_036_854_775_808.0 { return .max }
        if value < -9_223_372_036_854_775_808.0 { return .min }
        return Int64(value)
    }
}
