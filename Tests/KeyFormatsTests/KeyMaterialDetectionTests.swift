import KeyFormats
import Testing

/// OpenSSH public key lines reach the line parser whether or not they take the plain-ASCII shortcut, with the same
/// key, comment and format; what is not one plain line still goes through format detection.
@Suite struct KeyMaterialDetectionTests {
    static let key = try! PrivateKey(generating: .ed25519).publicKey
    static let line = Self.key.openSSHRepresentation(comment: "me@host")

    @Test(arguments: [
        "\(line)", "  \(line)\r\n", "\t\(line)\n\n", "\u{FEFF}\(line)\n",
        "\(line.replacingOccurrences(of: " ", with: "\t"))",
    ])
    func readsOneLineHoweverItIsWrapped(_ text: String) throws {
        let material = try KeyMaterial(text: text)
        #expect(material.format == .openSSHPublicKey)
        #expect(material.publicKey == Self.key)
        #expect(material.comment == "me@host")
    }

    @Test func keepsANonASCIIComment() throws {
        let material = try KeyMaterial(text: Self.key.openSSHRepresentation(comment: "José's laptop"))
        #expect(material.comment == "José's laptop")
    }

    @Test(arguments: [
        ("\(line)\n\(line)\n", KeyFormatsError.Code.multipleKeys),
        ("\(line) -----BEGIN PUBLIC KEY-----", KeyFormatsError.Code.truncated),
        ("ssh-ed25519", KeyFormatsError.Code.truncated),
        ("ssh-ed25519 not*base64", KeyFormatsError.Code.invalidEncoding),
    ])
    func refusesWhatIsNotOneLine(_ text: String, _ code: KeyFormatsError.Code) {
        #expect { try KeyMaterial(text: text) } throws: { ($0 as? KeyFormatsError)?.code == code }
    }
}
