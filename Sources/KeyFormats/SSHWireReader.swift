/// Reads the SSH wire encoding of RFC 4251 §5 (`uint32`, `string`, `mpint`) from bytes.
///
/// Every read either returns a value and advances, or throws ``KeyFormatsError/Code/truncated`` and leaves the
/// reader where it was, so a caller can report where the data ran out.
struct SSHWireReader {
    private var bytes: ArraySlice<UInt8>
    /// What a truncation error calls the data being read, such as "public key blob".
    private let context: String

    init<Bytes: Collection>(_ bytes: Bytes, context: String) where Bytes.Element == UInt8 {
        self.bytes = ArraySlice(bytes)
        self.context = context
    }

    /// Whether every byte has been read.
    var isAtEnd: Bool { self.bytes.isEmpty }

    /// The number of bytes not yet read.
    var remainingCount: Int { self.bytes.count }

    mutating func readUInt32() throws -> UInt32 {
        guard self.bytes.count >= 4 else {
            throw KeyFormatsError.truncated("The \(self.context) ends inside a 4-byte length or number field.")
        }
        let value = self.bytes.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        self.bytes = self.bytes.dropFirst(4)
        return value
    }

    /// Reads a `string`: a 4-byte big-endian length followed by that many bytes.
    mutating func readString() throws -> ArraySlice<UInt8> {
        let saved = self.bytes
        let length = try self.readUInt32()
        guard length <= self.bytes.count else {
            self.bytes = saved
            throw KeyFormatsError.truncated(
                "A length field in the \(self.context) says \(length) bytes, but only \(self.bytes.count) remain."
            )
        }
        let value = self.bytes.prefix(Int(length))
        self.bytes = self.bytes.dropFirst(Int(length))
        return value
    }

    /// Reads a `string` that must be printable ASCII, such as an algorithm name.
    mutating func readName() throws -> String {
        let raw = try self.readString()
        guard raw.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw KeyFormatsError.invalidKey("The \(self.context) holds an algorithm name that is not printable ASCII.")
        }
        return String(decoding: raw, as: UTF8.self)
    }

    /// Reads a non-negative `mpint` and returns its magnitude big-endian, without leading zero bytes.
    mutating func readPositiveMPInt() throws -> [UInt8] {
        let raw = try self.readString()
        if let first = raw.first, first & 0x80 != 0 {
            throw KeyFormatsError.invalidKey("The \(self.context) holds a negative number where a key value belongs.")
        }
        return Array(raw.drop(while: { $0 == 0 }))
    }

    /// Reads exactly `count` raw bytes.
    mutating func readBytes(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count <= self.bytes.count else {
            throw KeyFormatsError.truncated("The \(self.context) ends \(count - self.bytes.count) bytes early.")
        }
        let value = self.bytes.prefix(count)
        self.bytes = self.bytes.dropFirst(count)
        return value
    }

    /// Returns the bytes not yet read and marks them read.
    mutating func readRemaining() -> ArraySlice<UInt8> {
        defer { self.bytes = self.bytes.suffix(0) }
        return self.bytes
    }

    /// Throws ``KeyFormatsError/Code/trailingData`` unless every byte has been read.
    func expectEnd() throws {
        guard self.bytes.isEmpty else {
            throw KeyFormatsError.trailingData(
                "The \(self.context) has \(self.bytes.count) bytes after its last field."
            )
        }
    }
}
