import Crypto
import Foundation
import KeyFormats

/// PuTTY `.ppk` files, in two modes chosen by the first byte. Text mode reads the input as a file. Built mode (first
/// byte 0) reads the fields `version`, algorithm, comment, public blob and private blob from the input and writes a
/// file around them with the right Private-MAC, so mutations get past the MAC into the key blobs.
@_cdecl("LLVMFuzzerTestOneInput")
public func ppkFuzzer(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : count))
    let text: String
    if bytes.first == 0, let built = buildPPK(bytes.dropFirst()) {
        text = built
    } else {
        text = String(decoding: bytes, as: UTF8.self)
    }
    if let material = try? KeyMaterial(text: text), let key = material.privateKey {
        for version in [PPKVersion.v2, .v3] {
            let again = try? KeyMaterial(text: key.ppkRepresentation(comment: material.comment ?? "", version: version))
            precondition(again?.publicKey == material.publicKey, "round trip")
            precondition(again?.comment == material.comment, "comment round trip")
        }
    }
    precondition((try? KeyMaterial(publicKeyText: text)) == nil, "public-only reading took a PPK file")
    return 0
}

/// Fields as SSH `string`s after a version byte; nil when the input runs out.
private func buildPPK(_ input: ArraySlice<UInt8>) -> String? {
    var rest = input
    func string() -> [UInt8]? {
        guard rest.count >= 2 else { return nil }
        let length = Int(rest[rest.startIndex]) << 8 | Int(rest[rest.startIndex + 1])
        rest = rest.dropFirst(2)
        guard rest.count >= length else { return nil }
        defer { rest = rest.dropFirst(length) }
        return Array(rest.prefix(length))
    }
    guard let versionByte = rest.popFirst(), let algorithm = string(), let comment = string(),
        let publicBlob = string(), let privateBlob = string()
    else { return nil }
    let version = versionByte & 1 == 0 ? 2 : 3
    let algorithmText = String(decoding: algorithm, as: UTF8.self)
    let commentText = String(decoding: comment, as: UTF8.self)
    var macInput: [UInt8] = []
    for field in [Array(algorithmText.utf8), Array("none".utf8), Array(commentText.utf8), publicBlob, privateBlob] {
        macInput += withUnsafeBytes(of: UInt32(field.count).bigEndian, Array.init) + field
    }
    let mac: [UInt8]
    if version == 2 {
        let key = SymmetricKey(data: Insecure.SHA1.hash(data: Array("putty-private-key-file-mac-key".utf8)))
        mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: macInput, using: key))
    } else {
        mac = Array(HMAC<SHA256>.authenticationCode(for: macInput, using: SymmetricKey(data: [UInt8]())))
    }
    func lines(_ blob: [UInt8]) -> [String] {
        let encoded = Array(Data(blob).base64EncodedString().utf8)
        return stride(from: 0, to: encoded.count, by: 64).map { start in
            String(decoding: encoded[start..<min(start + 64, encoded.count)], as: UTF8.self)
        }
    }
    let publicLines = lines(publicBlob)
    let privateLines = lines(privateBlob)
    var text = "PuTTY-User-Key-File-\(version): \(algorithmText)\nEncryption: none\nComment: \(commentText)\n"
    text += "Public-Lines: \(publicLines.count)\n" + publicLines.map { $0 + "\n" }.joined()
    text += "Private-Lines: \(privateLines.count)\n" + privateLines.map { $0 + "\n" }.joined()
    text +=
        "Private-MAC: "
        + mac.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
        }.joined() + "\n"
    return text
}
