/// Writes the small XML documents AWS Query services answer with, escaping every text value.
public struct XMLWriter: Sendable {
    private(set) public var text: String

    /// Starts a document with the XML declaration.
    public init(capacity: Int = 1024) {
        self.text = ""
        self.text.reserveCapacity(capacity)
        self.text += #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
    }

    /// Writes `<name>`, the content, and `</name>`; the root element can carry a namespace.
    public mutating func element(_ name: String, namespace: String? = nil, _ content: (inout XMLWriter) -> Void) {
        if let namespace {
            self.text += "<\(name) xmlns=\"\(namespace)\">"
        } else {
            self.text += "<\(name)>"
        }
        content(&self)
        self.text += "</\(name)>"
    }

    /// Writes `<name>escaped value</name>`.
    public mutating func element(_ name: String, _ value: String) {
        self.text += "<\(name)>"
        Self.escape(value, into: &self.text)
        self.text += "</\(name)>"
    }

    /// Writes the element only when the value is present.
    public mutating func element(_ name: String, ifPresent value: String?) {
        if let value { self.element(name, value) }
    }

    /// Writes `<name>true</name>` or `<name>false</name>`.
    public mutating func element(_ name: String, _ value: Bool) {
        self.text += value ? "<\(name)>true</\(name)>" : "<\(name)>false</\(name)>"
    }

    /// Writes `<name/>`.
    public mutating func emptyElement(_ name: String) {
        self.text += "<\(name)/>"
    }

    static func escape(_ value: String, into text: inout String) {
        // Text content needs only &, < and > escaped; AWS leaves quotes and apostrophes as they are.
        guard value.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x0D }) else {
            text += value
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": text += "&amp;"
            case "<": text += "&lt;"
            case ">": text += "&gt;"
            // A literal CR would be normalised away by the parser; the reference keeps it.
            case "\r": text += "&#13;"
            default: text.unicodeScalars.append(scalar)
            }
        }
    }
}
