import KeyFormats

/// One-line OpenSSH public keys (`authorized_keys` lines), and the fingerprint forms users paste beside them.
@_cdecl("LLVMFuzzerTestOneInput")
public func openSSHPublicKeyFuzzer(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: data == nil ? 0 : count), as: UTF8.self)
    if let key = try? PublicKey(openSSHPublicKey: text) {
        precondition((try? PublicKey(openSSHPublicKey: key.openSSHRepresentation(comment: "c"))) == key, "round trip")
        precondition((try? PublicKey(derRepresentation: key.derRepresentation)) == key, "DER round trip")
        if let query = try? FingerprintQuery(key.fingerprints.sha256) {
            precondition(!query.matchingRules(publicKey: key, privateKey: nil).isEmpty, "own fingerprint matches")
        }
    }
    if let material = try? KeyMaterial(publicKeyText: text), material.format == .openSSHPublicKey {
        let again = try? KeyMaterial(publicKeyText: material.publicKey.openSSHRepresentation(comment: material.comment))
        precondition(again?.comment == material.comment, "comment round trip")
    }
    if let query = try? FingerprintQuery(text) {
        precondition(!query.candidateRules.isEmpty && !query.digest.isEmpty, "a query names what it matches")
    }
    return 0
}
