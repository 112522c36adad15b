/// Writes the SSH wire encoding of RFC 4251 §5 (`uint32`, `string`, `mpint`).
struct SSHWireWriter {
    private(set) var bytes: [UInt8] = []

    init() {}

    mutating func writeUInt32(_ value: UInt32) {
        self.bytes.append(contentsOf: [
            UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF),
        ])
    }

    mutating func writeString<Bytes: Collection>(_ value: Bytes) where Bytes.Element == UInt8 {
        self.writeUInt32(UInt32(value.count))
        self.bytes.append(contentsOf: value)
    }

    mutating func writeString(_ value: String) {
        self.writeString(Array(value.utf8))
    }

    /// Writes a non-negative integer given big-endian as an `mpint`: minimal, with a zero byte where the top bit is set.
    mutating func writePositiveMPInt<Bytes: Collection>(_ magnitude: Bytes) where Bytes.Element == UInt8 {
        let trimmed = magnitude.drop(while: { $0 == 0 })
        if let first = trimmed.first, first & 0x80 != 0 {
            self.writeUInt32(UInt32(trimmed.count + 1))
            self.bytes.append(0)
        } else {
            self.writeUInt32(UInt32(trimmed.count))
        }
        self.bytes.append(contentsOf: trimmed)
    }

    mutating func writeBytes<Bytes: Collection>(_ value: Bytes) where Bytes.Element == UInt8 {
        self.bytes.append(contentsOf: value)
    }
}
