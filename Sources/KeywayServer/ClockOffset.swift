import Foundation
import Synchronization

/// A clock that `--dev` mode can move forward (`POST /_keyway/clock?advance=SECONDS`), so tests of time windows,
/// such as Instance Connect's 60 seconds, need not wait. Outside dev mode the offset stays zero.
final class ClockOffset: Sendable {
    private let offset = Mutex<TimeInterval>(0)
    private let base: @Sendable () -> Date

    init(base: @escaping @Sendable () -> Date) {
        self.base = base
    }

    func now() -> Date { self.base().addingTimeInterval(self.offset.withLock { $0 }) }

    /// The most one call may move the clock, either way: ten years. Dates far outside that would not fit the
    /// stores' whole-second integers.
    static let maximumStep: TimeInterval = 10 * 366 * 86_400

    /// Moves the clock by `seconds`; false (and no change) unless it is finite and within ``maximumStep``, and the
    /// total offset stays within ten steps.
    func advance(by seconds: TimeInterval) -> Bool {
        guard seconds.isFinite, abs(seconds) <= Self.maximumStep else { return false }
        return self.offset.withLock { offset in
            guard abs(offset + seconds) <= 10 * Self.maximumStep else { return false }
            offset += seconds
            return true
        }
    }
}
