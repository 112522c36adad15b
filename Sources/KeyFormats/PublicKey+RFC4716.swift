import Foundation

extension PublicKey {
    static let rfc4716Begin = "---- BEGIN SSH2 PUBLIC KEY ----"
    static let rfc4716End = "---- END SSH2 PUBLIC KEY ----"

    /// The SSH public key file format of RFC 4716, as `ssh-keygen -e` writes it: a quoted `Comment:` header when
    /// there is a comment, and the base64 blob in lines of 70 characters.
    public func rfc4716Representation(comment: String? = nil) -> String {
        var lines = [Self.rfc4716Begin]
        if let comment, !comment.isEmpty {
            let escaped = comment.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                of: "\"",
                with: "\\\""
            )
            // RFC 4716 §3.3: lines are at most 72 bytes; a header line that is longer continues after a backslash.
            var header = Array("Comment: \"\(escaped)\"".utf8)
            while header.count > 72 {
                var cut = 71
                while cut > 0, header[cut] & 0xC0 == 0x80 { cut -= 1 }  // never split a UTF-8 sequence
                lines.append(String(decoding: header[..<cut], as: UTF8.self) + "\\")
                header = Array(header[cut...])
            }
            lines.append(String(decoding: header, as: UTF8.self))
        }
        lines.append(contentsOf: Base64.encodeLines(self.sshWireRepresentation, width: 70).map(String.init))
        lines.append(Self.rfc4716End)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Parses an RFC 4716 block, returning the key and the `Comment:` header's value, if any.
    static func parseRFC4716(_ text: Substring) throws -> (key: PublicKey, comment: String?) {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { (line: Substring) in
            line.trimmingSuffix(while: Character.isLineSpace)
        }[...]
        while let first = lines.first, first.isEmpty { lines = lines.dropFirst() }
        guard lines.first == Self.rfc4716Begin[...] else {
            throw KeyFormatsError.unrecognizedFormat("The RFC 4716 block does not start with '\(Self.rfc4716Begin)'.")
        }
        lines = lines.dropFirst()
        var comment: String?
        var body = ""
        var inHeaders = true
        var foundEnd = false
        while let line = lines.popFirst() {
            if line == Self.rfc4716End[...] {
                foundEnd = true
                break
            }
            if inHeaders, line.contains(":") {
                // Continuations are joined as bytes, appended in place: rebuilding the header for each line was
                // quadratic, and a Character-based test misses a final '\' that a prepend character (U+0600…)
                // before it joins into one Character.
                var bytes = Array(line.utf8)
                while bytes.last == UInt8(ascii: "\\") {
                    guard let next = lines.popFirst() else {
                        throw KeyFormatsError.truncated("An RFC 4716 header continues past the end of the input.")
                    }
                    bytes.removeLast()
                    bytes += next.utf8
                }
                let header = String(decoding: bytes, as: UTF8.self)
                // A line of only ':' splits into nothing, so the count is checked before any part is read.
                let parts = header.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].count <= 64 else {
                    throw KeyFormatsError.invalidEncoding("An RFC 4716 header line has no valid tag.")
                }
                if parts[0].lowercased() == "comment" {
                    comment = Self.unquotedHeaderValue(parts[1])
                }
                continue
            }
            inHeaders = false
            body += line
        }
        guard foundEnd else {
            throw KeyFormatsError.truncated("The RFC 4716 block has no '\(Self.rfc4716End)' line.")
        }
        if lines.contains(where: { !$0.isEmpty }) {
            if lines.contains(Self.rfc4716Begin[...]) {
                throw KeyFormatsError.multipleKeys("The input holds more than one RFC 4716 block; give one key.")
            }
            throw KeyFormatsError.trailingData("The input has text after the RFC 4716 block's end line.")
        }
        guard let blob = Base64.decode(body) else {
            throw KeyFormatsError.invalidEncoding("The RFC 4716 block's body is not valid base64.")
        }
        return (try PublicKey(sshWireRepresentation: blob), comment)
    }

    /// A header value without the quotes that `ssh-keygen -e` and ``rfc4716Representation(comment:)`` put around
    /// it, with their `\"` and `\\` escapes undone. Read as bytes, for the same reason as continuations.
    private static func unquotedHeaderValue(_ value: Substring) -> String {
        var bytes = Array(value.utf8.drop(while: { $0 == UInt8(ascii: " ") }))
        if bytes.count >= 2, bytes.first == UInt8(ascii: "\""), bytes.last == UInt8(ascii: "\"") {
            bytes = Array(bytes.dropFirst().dropLast(1))
        }
        var unescaped: [UInt8] = []
        unescaped.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count,
                bytes[index + 1] == UInt8(ascii: "\"") || bytes[index + 1] == UInt8(ascii: "\\")
            {
                index += 1
            }
            unescaped.append(bytes[index])
            index += 1
        }
        return String(decoding: unescaped, as: UTF8.self)
    }
}
