import Foundation

/// Base64 (RFC 4648 §4) as the key formats use it: strict on input, wrapped at a format's line width on output.
enum Base64 {
    /// Decodes padded base64 that holds no whitespace, or returns nil.
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        guard let data = Data(base64Encoded: String(text)) else { return nil }
        return Array(data)
    }

    /// Decodes base64 split over lines: spaces, tabs, CR and LF are skipped.
    static func decodeLines(_ text: some StringProtocol) -> [UInt8]? {
        let joined = String(
            String.UnicodeScalarView(text.unicodeScalars.filter { !" \t\r\n".unicodeScalars.contains($0) })
        )
        return Self.decode(joined)
    }

    static func encode(_ bytes: some Collection<UInt8>) -> String {
        Data(bytes).base64EncodedString()
    }

    /// Encodes and splits into lines of at most `width` characters, each ending in LF.
    static func encodeLines(_ bytes: some Collection<UInt8>, width: Int) -> [Substring] {
        // Base64 is ASCII, so lines are cut at UTF-8 offsets rather than by stepping through Characters.
        let text = Self.encode(bytes)
        let utf8 = text.utf8
        var lines: [Substring] = []
        lines.reserveCapacity((utf8.count + width - 1) / width)
        var start = utf8.startIndex
        while start < utf8.endIndex {
            let end = utf8.index(start, offsetBy: width, limitedBy: utf8.endIndex) ?? utf8.endIndex
            lines.append(text[start..<end])
            start = end
        }
        return lines
    }
}
