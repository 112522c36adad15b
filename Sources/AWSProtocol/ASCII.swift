/// Byte-level helpers for the ASCII text of HTTP and SigV4, which every request passes through: they read a string's
/// UTF-8 storage in place instead of walking `String.Index`es or making substrings.
enum ASCII {
    /// Calls `body` with the UTF-8 bytes of `text`: in place for native strings, copied once for bridged ones.
    @inline(__always)
    static func withBytes<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var text = text
        return text.withUTF8(body)
    }

    /// Whether two strings are equal when ASCII letters are compared without case; other bytes must match exactly.
    static func caseInsensitiveEquals(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        return Self.withBytes(a) { a in
            Self.withBytes(b) { b in
                for index in 0..<a.count where a[index] != b[index] {
                    guard Self.lowercased(a[index]) == Self.lowercased(b[index]), Self.isLetter(a[index]) else {
                        return false
                    }
                }
                return true
            }
        }
    }

    /// `byte` with A–Z mapped to a–z.
    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }

    @inline(__always)
    static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- 0x61 < 26
    }

    /// A string made of `bytes`, which are UTF-8.
    @inline(__always)
    static func string(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes), as: UTF8.self)
    }

    /// Appends the lower-case hex of each byte.
    static func appendHex(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        for byte in bytes {
            out.append(Self.hexDigit(byte >> 4))
            out.append(Self.hexDigit(byte & 0xF))
        }
    }

    @inline(__always)
    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 + nibble : 0x57 + nibble
    }
}
