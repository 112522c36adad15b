import KeyFormats

/// Text with PEM armour: the certificate readers (which split any text into blocks) and the key reader.
@_cdecl("LLVMFuzzerTestOneInput")
public func pemFuzzer(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: data == nil ? 0 : count), as: UTF8.self)
    _ = try? X509Certificate.chain(pemRepresentation: text)
    if let certificate = try? X509Certificate(pemRepresentation: text) {
        _ = certificate.isSelfSigned
        _ = certificate.subject
    }
    _ = try? KeyMaterial(text: text)
    _ = try? KeyMaterial(publicKeyText: text)
    return 0
}
