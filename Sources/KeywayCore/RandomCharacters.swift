/// Random strings over an alphabet of 16, 32 or 64 ASCII characters, drawn from whole 64-bit words.
///
/// Each character takes log2(alphabet size) bits of a word, so an ID of 17 hex digits costs two calls to the
/// generator rather than seventeen; with `SystemRandomNumberGenerator` each call is a system call.
enum RandomCharacters {
    static let hex = Array("0123456789abcdef".utf8)
    static let base32 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)
    static let base64 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// `count` characters of `alphabet`, each equally likely.
    static func string(count: Int, from alphabet: [UInt8], using generator: inout some RandomNumberGenerator) -> String
    {
        precondition(
            alphabet.count.nonzeroBitCount == 1 && alphabet.count <= 64,
            "the alphabet size must be a power of two"
        )
        let bits = alphabet.count.trailingZeroBitCount
        let mask = UInt64(alphabet.count - 1)
        return String(unsafeUninitializedCapacity: count) { buffer in
            var word: UInt64 = 0
            var available = 0
            for index in 0..<count {
                if available < bits {
                    word = generator.next()
                    available = 64
                }
                buffer[index] = alphabet[Int(word & mask)]
                word >>= UInt64(bits)
                available -= bits
            }
            return count
        }
    }
}
