import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// AWS request IDs: random (version 4) UUIDs in lower case, as EC2 and IAM write them in `RequestId`.
public enum RequestID {
    /// A new request ID from the system's random number generator.
    ///
    /// This runs once per request, so the random bytes are read from the system 4 KiB (256 IDs) at a time rather than
    /// with a system call per ID (`SystemRandomNumberGenerator` makes one per 8 bytes; Foundation's `UUID()` opened
    /// `/dev/urandom` per call). Request IDs are not secrets; they only need to be unique and unguessable.
    public static func random() -> String {
        var (high, low) = Self.pool.withLock { $0.take() }
        high = (high & ~0xF000) | 0x4000  // version 4
        low = (low & ~(0xC000 << 48)) | (0x8000 << 48)  // RFC 4122 variant
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var index = 0
            for (word, dashes) in [(high, (8, 12)), (low, (0, 4))] {
                for nibble in 0..<16 {
                    if nibble == dashes.0 || nibble == dashes.1 {
                        buffer[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    buffer[index] = ASCII.hexDigit(UInt8(truncatingIfNeeded: word >> UInt64(60 - 4 * nibble)) & 0xF)
                    index += 1
                }
            }
            return index
        }
    }

    private static let pool = Mutex(RandomPool())

    /// Random words read from the system in blocks, each handed out once.
    struct RandomPool: ~Copyable {
        private var words = [UInt64](repeating: 0, count: 512)
        private var next = 512

        mutating func take() -> (UInt64, UInt64) {
            if self.next + 2 > self.words.count {
                // glibc's arc4random_buf reads the kernel's getrandom, one call per block.
                self.words.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
                self.next = 0
            }
            defer { self.next += 2 }
            return (self.words[self.next], self.words[self.next + 1])
        }
    }
}
