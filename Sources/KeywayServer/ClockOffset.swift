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

    func advance(by seconds: TimeInterval) {
        self.offset.withLock { $0 += seconds }
    }
}
