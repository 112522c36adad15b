import KeyFormats

/// Any bytes through format detection, both readers (all formats, and public keys only); what parses must write
/// out and read back as the same key.
@_cdecl("LLVMFuzzerTestOneInput")
public func keyMaterialFuzzer(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : count))
    if let material = try? KeyMaterial(bytes: bytes) {
        let key = material.publicKey
        precondition((try? PublicKey(openSSHPublicKey: key.openSSHRepresentation())) == key, "OpenSSH line round trip")
        let rfc4716 = try? KeyMaterial(text: key.rfc4716Representation(comment: material.comment))
        precondition(rfc4716?.publicKey == key, "RFC 4716 round trip")
        _ = material.fingerprints
        if let privateKey = material.privateKey {
            let written = privateKey.openSSHRepresentation(comment: material.comment ?? "", checkInt: 7)
            precondition((try? KeyMaterial(text: written))?.publicKey == key, "OpenSSH private key round trip")
        }
    }
    if let material = try? KeyMaterial(publicKeyBytes: bytes) {
        precondition(material.privateKey == nil && !material.format.isPrivate, "public-only reading gave a private key")
    }
    return 0
}
