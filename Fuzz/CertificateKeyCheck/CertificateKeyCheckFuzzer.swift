import Foundation
import KeyFormats

/// UploadServerCertificate's checks: the input is a certificate's DER (a 2-byte length first), armoured here, then
/// the private key's PEM text; the certificate is read as the leaf, as a chain, and against the key.
@_cdecl("LLVMFuzzerTestOneInput")
public func certificateKeyCheckFuzzer(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : count))
    guard bytes.count >= 2 else { return 0 }
    let length = min(Int(bytes[0]) << 8 | Int(bytes[1]), bytes.count - 2)
    let der = Data(bytes[2..<(2 + length)])
    let keyPEM = String(decoding: bytes[(2 + length)...], as: UTF8.self)
    let certificatePEM =
        "-----BEGIN CERTIFICATE-----\n" + der.base64EncodedString(options: .lineLength64Characters)
        + "\n-----END CERTIFICATE-----\n"
    _ = try? CertificateKeyCheck.privateKey(keyPEM, matchesCertificate: certificatePEM)
    if let leaf = try? X509Certificate(pemRepresentation: certificatePEM) {
        _ = leaf.isSelfSigned
        _ = (leaf.notValidBefore, leaf.notValidAfter, leaf.subject)
        if let chain = try? X509Certificate.chain(pemRepresentation: certificatePEM + keyPEM) {
            _ = chain.map { leaf.isIssued(by: $0) }
        }
    }
    return 0
}
