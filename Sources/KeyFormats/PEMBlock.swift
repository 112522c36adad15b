/// One PEM block (RFC 7468), with the RFC 1421 headers that old encrypted OpenSSL keys carry.
///
/// SwiftASN1's `PEMDocument` refuses headers, which is right for certificates but hides why a
/// `Proc-Type: 4,ENCRYPTED` key cannot be read; this reader keeps them so the error can say so.
struct PEMBlock: Sendable {
    var label: String
    var headers: [String: String]
    var body: [UInt8]

    /// Splits text into its PEM blocks, ignoring text between them.
    static func parseAll(_ text: Substring) throws -> [PEMBlock] {
        var blocks: [PEMBlock] = []
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { (line: Substring) in
            line.trimmingSuffix(while: Character.isLineSpace).drop(while: { (character: Character) in
                character == " " || character == "\t"
            })
        }[...]
        while let line = lines.popFirst() {
            guard line.hasPrefix("-----BEGIN "), line.hasSuffix("-----"), line.count > 16 else { continue }
            let label = String(line.dropFirst(11).dropLast(5))
            let shown = label.quotedForMessage()
            let endLine = "-----END \(label)-----"
            var headers: [String: String] = [:]
            var base64 = ""
            var foundEnd = false
            var lastHeader: String?
            while let inner = lines.popFirst() {
                if inner == endLine[...] {
                    foundEnd = true
                    break
                }
                if inner.hasPrefix("-----") {
                    throw KeyFormatsError.invalidEncoding("The PEM block '\(shown)' ends with a different label.")
                }
                if base64.isEmpty, let colon = inner.firstIndex(of: ":") {
                    let name = String(inner[..<colon])
                    headers[name] = String(inner[inner.index(after: colon)...].drop(while: { $0 == " " }))
                    lastHeader = name
                    continue
                }
                if base64.isEmpty, let name = lastHeader, inner.first == " " || inner.first == "\t" {
                    headers[name, default: ""] += inner
                    continue
                }
                base64 += inner
            }
            guard foundEnd else {
                throw KeyFormatsError.truncated("The PEM block '\(shown)' has no END line.")
            }
            guard let body = Base64.decodeLines(base64) else {
                throw KeyFormatsError.invalidEncoding("The PEM block '\(shown)' holds text that is not valid base64.")
            }
            blocks.append(PEMBlock(label: label, headers: headers, body: body))
        }
        return blocks
    }

    /// Renders a PEM block with base64 lines of `width` characters.
    static func render(label: String, body: some Collection<UInt8>, width: Int = 64) -> String {
        var lines = ["-----BEGIN \(label)-----"]
        lines.append(contentsOf: Base64.encodeLines(body, width: width).map(String.init))
        lines.append("-----END \(label)-----")
        return lines.joined(separator: "\n") + "\n"
    }
}
