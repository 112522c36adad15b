import KeyFormats

/// RFC 4716 blocks: the BEGIN line is supplied when the input lacks it, so mutations go into headers and body.
@_cdecl("LLVMFuzzerTestOneInput")
public func rfc4716Fuzzer(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var text = String(decoding: UnsafeBufferPointer(start: data, count: data == nil ? 0 : count), as: UTF8.self)
    let begin = "---- BEGIN SSH2 PUBLIC KEY ----"
    if !text.hasPrefix(begin) { text = begin + "\n" + text }
    if let material = try? KeyMaterial(publicKeyText: text) {
        let again = try? KeyMaterial(text: material.publicKey.rfc4716Representation(comment: material.comment))
        precondition(again?.publicKey == material.publicKey, "round trip")
        precondition(again?.comment == material.comment, "comment round trip")
    }
    return 0
}
