import Foundation
import KeyFormats

/// The binary body of `openssh-key-v1` private keys: the input is armoured here, so mutations reach the structure
/// rather than the base64.
@_cdecl("LLVMFuzzerTestOneInput")
public func openSSHPrivateKeyFuzzer(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let body = Data(UnsafeBufferPointer(start: data, count: data == nil ? 0 : count))
    let text =
        "-----BEGIN OPENSSH PRIVATE KEY-----\n" + body.base64EncodedString(options: .lineLength64Characters)
        + "\n-----END OPENSSH PRIVATE KEY-----\n"
    if let material = try? KeyMaterial(text: text), let key = material.privateKey {
        let again = try? KeyMaterial(text: key.openSSHRepresentation(comment: material.comment ?? "", checkInt: 1))
        precondition(again?.publicKey == material.publicKey, "round trip")
        _ = key.pkcs8PEMRepresentation
    }
    precondition((try? KeyMaterial(publicKeyText: text)) == nil, "public-only reading took a private key")
    return 0
}
