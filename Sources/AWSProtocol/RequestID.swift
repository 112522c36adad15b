/// AWS request IDs: random (version 4) UUIDs in lower case, as EC2 and IAM write them in `RequestId`.
public enum RequestID {
    /// A new request ID from the system's random number generator.
    ///
    /// Made here rather than with Foundation's `UUID()`, which on Linux opens `/dev/urandom` on every call; this runs
    /// once per request.
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        var high = generator.next() as UInt64
        var low = generator.next() as UInt64
        high = (high & ~0xF000) | 0x4000  // version 4
        low = (low & ~(0xC000 << 48)) | (0x8000 << 48)  // RFC 4122 variant
        let hex = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var index = 0
            for (word, dashes) in [(high, [8, 12]), (low, [0, 4])] {
                for nibble in 0..<16 {
                    if dashes.contains(nibble) {
                        buffer[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    buffer[index] = hex[Int(word >> UInt64(60 - 4 * nibble) & 0xF)]
                    index += 1
                }
            }
            return index
        }
    }
}
