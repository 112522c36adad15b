/// The parameters of an AWS Query-protocol request (EC2, IAM, STS): the form body and the query string together.
///
/// EC2 flattens lists as `Name.1`, `Name.2` …; IAM and STS as `Name.member.1` …. Both are read here by prefix.
public struct QueryParameters: Sendable {
    private var values: [String: String]

    public init(_ values: [String: String]) {
        self.values = values
    }

    /// Parses the query string and, for a form POST, the body.
    ///
    /// Throws `MalformedQueryString` for bad percent escapes, text that is not UTF-8, characters that XML cannot
    /// carry, or a parameter given twice.
    public init(request: AWSRequest) throws(AWSError) {
        var values: [String: String] = [:]
        try Self.decode(Array(request.query.utf8), into: &values)
        if request.method == "POST" {
            try Self.decode(request.body, into: &values)
        }
        self.values = values
    }

    /// The value of a parameter, or nil when absent. An empty value is returned as "".
    public subscript(name: String) -> String? { self.values[name] }

    /// Every parameter name.
    public var names: Dictionary<String, String>.Keys { self.values.keys }

    /// A required parameter's value; `MissingParameter` when absent or empty.
    public func required(_ name: String) throws(AWSError) -> String {
        guard let value = self.values[name], !value.isEmpty else { throw .missingParameter(name) }
        return value
    }

    /// A boolean parameter (`true`/`false`, any case); absent gives `defaultValue`.
    public func bool(_ name: String, default defaultValue: Bool = false) throws(AWSError) -> Bool {
        guard let value = self.values[name] else { return defaultValue }
        switch value.lowercased() {
        case "true": return true
        case "false": return false
        default:
            throw AWSError(
                code: "InvalidParameterValue",
                message: "Invalid value '\(value.quotedInMessage)' for \(name). Specify true or false."
            )
        }
    }

    /// An integer parameter; absent gives nil.
    public func int(_ name: String) throws(AWSError) -> Int? {
        guard let value = self.values[name] else { return nil }
        guard let number = Int(value) else {
            throw AWSError(
                code: "InvalidParameterValue",
                message: "Invalid value '\(value.quotedInMessage)' for \(name). It must be an integer."
            )
        }
        return number
    }

    /// An EC2 list `Name.1`, `Name.2` …, in index order. Indexes need not be contiguous.
    public func list(_ name: String) -> [String] {
        // Read as bytes: every EC2 request asks for a few lists, and most names are not list members.
        var found: [(index: Int, value: String)] = []
        let prefixLength = name.utf8.count + 1
        for (key, value) in self.values where key.utf8.count > prefixLength {
            let utf8 = key.utf8
            guard utf8.starts(with: name.utf8),
                utf8[utf8.index(utf8.startIndex, offsetBy: prefixLength - 1)] == UInt8(ascii: ".")
            else {
                continue
            }
            // `N` written as AWS writes it: decimal digits, no sign, no leading zero.
            let digits = utf8.dropFirst(prefixLength)
            guard digits.allSatisfy({ $0 &- 0x30 < 10 }), digits.first != UInt8(ascii: "0") || digits.count == 1,
                let index = Int(Substring(digits))
            else { continue }
            found.append((index, value))
        }
        return found.sorted { $0.index < $1.index }.map(\.value)
    }

    /// An IAM/STS list `Name.member.1` …, in index order.
    public func memberList(_ name: String) -> [String] {
        self.list(name + ".member")
    }

    /// An EC2 list of structures, `Name.1.Field`, `Name.1.Sub.2` …: one `QueryParameters` a structure, with the
    /// `Name.N.` prefix removed, in index order.
    public func structures(_ name: String) -> [QueryParameters] {
        var groups: [Int: [String: String]] = [:]
        let prefix = name + "."
        for (key, value) in self.values where key.hasPrefix(prefix) {
            let rest = key.dropFirst(prefix.count)
            guard let dot = rest.firstIndex(of: "."), let index = Int(rest[..<dot]) else { continue }
            groups[index, default: [:]][String(rest[rest.index(after: dot)...])] = value
        }
        return groups.sorted { $0.key < $1.key }.map { QueryParameters($0.value) }
    }

    private static func decode(_ bytes: [UInt8], into values: inout [String: String]) throws(AWSError) {
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "&") { end += 1 }
            if end > start {
                let pair = bytes[start..<end]
                let equals = pair.firstIndex(of: UInt8(ascii: "="))
                let name = try Self.percentDecode(pair[pair.startIndex..<(equals ?? pair.endIndex)])
                let value = equals.map { try? Self.percentDecode(pair[pair.index(after: $0)...]) } ?? ""
                guard let value else {
                    throw .malformedQueryString(
                        "The value of parameter \(name.quotedInMessage) is not valid form-encoded UTF-8."
                    )
                }
                guard !name.isEmpty else {
                    throw .malformedQueryString("The request has a parameter with an empty name.")
                }
                guard values.updateValue(value, forKey: name) == nil else {
                    throw .malformedQueryString("The parameter \(name.quotedInMessage) is given more than once.")
                }
            }
            start = end + 1
        }
    }

    /// Decodes `+` and `%XX` and checks that the result is UTF-8 that XML 1.0 can carry.
    private static func percentDecode(_ bytes: ArraySlice<UInt8>) throws(AWSError) -> String {
        // Most names and values are printable ASCII with nothing to decode: valid UTF-8 and XML as they are.
        if bytes.allSatisfy({ $0 &- 0x20 < 0x5F && $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "%") }) {
            return bytes.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex,
                    let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else {
                    throw .malformedQueryString("The request has a '%' that is not followed by two hex digits.")
                }
                out.append(high << 4 | low)
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        guard let text = String(validating: out, as: UTF8.self) else {
            throw .malformedQueryString("The request holds text that is not valid UTF-8.")
        }
        guard text.unicodeScalars.allSatisfy(isXMLCharacter) else {
            throw .malformedQueryString("The request holds control characters that are not allowed.")
        }
        return text
    }
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

/// Whether XML 1.0 (§2.2) allows the character: tab, LF, CR and everything from U+0020 but U+FFFE and U+FFFF.
func isXMLCharacter(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x9, 0xA, 0xD: true
    case 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
    default: false
    }
}
