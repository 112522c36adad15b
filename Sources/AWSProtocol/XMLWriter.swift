/// Writes the small XML documents AWS Query services answer with, escaping every text value.
///
/// The document is built as UTF-8 bytes: DescribeKeyPairs of a full region writes thousands of elements a request.
public struct XMLWriter: Sendable {
    private var bytes: [UInt8]

    /// The document written so far.
    public var text: String { String(decoding: self.bytes, as: UTF8.self) }

    /// Starts a document with the XML declaration.
    public init(capacity: Int = 1024) {
        self.bytes = []
        self.bytes.reserveCapacity(capacity)
        self.bytes.append(contentsOf: #"<?xml version="1.0" encoding="UTF-8"?>"#.utf8)
        self.bytes.append(0x0A)
    }

    /// Writes `<name>`, the content, and `</name>`; the root element can carry a namespace.
    public mutating func element(_ name: String, namespace: String? = nil, _ content: (inout XMLWriter) -> Void) {
        self.bytes.append(UInt8(ascii: "<"))
        self.bytes.append(contentsOf: name.utf8)
        if let namespace {
            self.bytes.append(contentsOf: #" xmlns=""#.utf8)
            self.bytes.append(contentsOf: namespace.utf8)
            self.bytes.append(UInt8(ascii: "\""))
        }
        self.bytes.append(UInt8(ascii: ">"))
        content(&self)
        self.closeTag(name)
    }

    /// Writes `<name>escaped value</name>`.
    public mutating func element(_ name: String, _ value: String) {
        self.openTag(name)
        Self.escape(value, into: &self.bytes)
        self.closeTag(name)
    }

    /// Writes the element only when the value is present.
    public mutating func element(_ name: String, ifPresent value: String?) {
        if let value { self.element(name, value) }
    }

    /// Writes `<name>true</name>` or `<name>false</name>`.
    public mutating func element(_ name: String, _ value: Bool) {
        self.openTag(name)
        self.bytes.append(contentsOf: (value ? "true" : "false").utf8)
        self.closeTag(name)
    }

    /// Writes `<name/>`.
    public mutating func emptyElement(_ name: String) {
        self.bytes.append(UInt8(ascii: "<"))
        self.bytes.append(contentsOf: name.utf8)
        self.bytes.append(contentsOf: "/>".utf8)
    }

    private mutating func openTag(_ name: String) {
        self.bytes.append(UInt8(ascii: "<"))
        self.bytes.append(contentsOf: name.utf8)
        self.bytes.append(UInt8(ascii: ">"))
    }

    private mutating func closeTag(_ name: String) {
        self.bytes.append(contentsOf: "</".utf8)
        self.bytes.append(contentsOf: name.utf8)
        self.bytes.append(UInt8(ascii: ">"))
    }

    /// Appends a text value with `&`, `<`, `>` and CR escaped. Bytewise is exact: those are ASCII, and no byte of a
    /// multi-byte UTF-8 sequence is ASCII.
    static func escape(_ value: String, into bytes: inout [UInt8]) {
        var value = value
        value.withUTF8 { utf8 in
            // Most values need no escaping: copy them whole.
            guard utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x0D }) else {
                bytes.append(contentsOf: utf8)
                return
            }
            // Text content needs only &, < and > escaped; AWS leaves quotes and apostrophes as they are.
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "&"): bytes.append(contentsOf: "&amp;".utf8)
                case UInt8(ascii: "<"): bytes.append(contentsOf: "&lt;".utf8)
                case UInt8(ascii: ">"): bytes.append(contentsOf: "&gt;".utf8)
                // A literal CR would be normalised away by the parser; the reference keeps it.
                case 0x0D: bytes.append(contentsOf: "&#13;".utf8)
                default: bytes.append(byte)
                }
            }
        }
    }
}
