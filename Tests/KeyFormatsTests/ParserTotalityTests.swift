import Foundation
import KeyFormats
import Testing

/// Inputs that once trapped, hung or took quadratic time in the parsers that network input reaches; each is also a
/// file in `Fuzz/Corpus`. Every one must now give a typed error (or a key) promptly.
@Suite(.timeLimit(.minutes(1))) struct ParserTotalityTests {
    /// An RFC 4716 header line of only ':' split into no parts, and the parser read the first.
    @Test func rfc4716HeaderOfOnlyAColon() throws {
        let text = "---- BEGIN SSH2 PUBLIC KEY ----\n:\n---- END SSH2 PUBLIC KEY ----"
        #expect(throws: KeyFormatsError.invalidEncoding("")) { try KeyMaterial(text: text) }
        #expect(throws: KeyFormatsError.invalidEncoding("")) { try KeyMaterial(publicKeyText: text) }
        let file = try Self.corpus("RFC4716", "crash-header-only-colon")
        #expect(throws: KeyFormatsError.invalidEncoding("")) { try KeyMaterial(bytes: file) }
    }

    /// Header lines with no tag or no value, which split into one part.
    @Test(arguments: [":x", "x:", "::", " : "])
    func rfc4716HeaderWithoutTagOrValue(_ header: String) {
        let text = "---- BEGIN SSH2 PUBLIC KEY ----\n\(header)\n---- END SSH2 PUBLIC KEY ----\n"
        #expect(throws: KeyFormatsError.self) { try KeyMaterial(text: text) }
    }

    /// A header continued over many lines was rebuilt for each line: quadratic in the header's length.
    @Test func rfc4716LongContinuedHeaderIsLinear() throws {
        let key = try PrivateKey(generating: .ed25519).publicKey
        var lines = key.rfc4716Representation(comment: "c").split(separator: "\n").map(String.init)
        lines.insert(
            contentsOf: Array(repeating: "x-long: " + String(repeating: "v", count: 60) + "\\", count: 1)
                + Array(repeating: String(repeating: "v", count: 70) + "\\", count: 20_000) + ["end"],
            at: 1
        )
        let material = try KeyMaterial(text: lines.joined(separator: "\n"))
        #expect(material.publicKey == key)
        #expect(material.comment == "c")
    }

    /// Trailing white space was trimmed by `dropLast()` loops, which counted the whole text on every call: a
    /// certificate followed by 64 KB of spaces took two minutes in UploadServerCertificate. Each reader below now
    /// trims a megabyte in one pass.
    @Test func trailingWhiteSpaceIsTrimmedInOnePass() throws {
        let spaces = String(repeating: " ", count: 1 << 20)
        let certificate = try Fixtures.text("certificates/rsa2048.cert.pem")
        let privateKey = try Fixtures.text("certificates/rsa2048.key.pkcs8.pem")
        _ = try X509Certificate(pemRepresentation: certificate + spaces)
        let tabs = String(repeating: "\t", count: 1 << 20)
        #expect(try CertificateKeyCheck.privateKey(privateKey + tabs, matchesCertificate: certificate + spaces))
        let line = try Fixtures.text("valid/ssh-keygen-ed25519.pub").trimmingCharacters(in: .whitespacesAndNewlines)
        let key = try PublicKey(openSSHPublicKey: line)
        // A no-break space sends the text past the one-line fast path into the Unicode-aware reader.
        #expect(try KeyMaterial(publicKeyText: line + String(repeating: " \u{00A0}", count: 1 << 19)).publicKey == key)
        #expect(try KeyMaterial(publicKeyText: key.rfc4716Representation(comment: "c") + spaces).publicKey == key)
        let rfc4716 = key.rfc4716Representation().replacingOccurrences(of: "\n---- END", with: spaces + "\n---- END")
        #expect(try KeyMaterial(publicKeyText: rfc4716).publicKey == key)
    }

    /// Found by the RFC4716 fuzzer: a comment with a prepend character (U+0600) did not read back. The character
    /// joins the closing quote, or the continuation backslash after it, into one Character, so Character-based
    /// tests missed both; they read bytes now.
    @Test(arguments: [
        "x\u{0600}", "\u{0600}\"quoted\u{0602}\\",
        String(repeating: "a", count: 59) + "\u{0600}" + String(repeating: "b", count: 40),
    ])
    func rfc4716CommentWithPrependCharacterReadsBack(_ comment: String) throws {
        let key = try PrivateKey(generating: .ed25519).publicKey
        let material = try KeyMaterial(publicKeyText: key.rfc4716Representation(comment: comment))
        #expect(material.publicKey == key)
        #expect(material.comment == comment)
        let file = try Self.corpus("RFC4716", "regression-comment-prepend-character")
        #expect(try KeyMaterial(bytes: file).comment == "x\u{0600}")
    }

    /// A PPK comment that starts with a combining mark joined the space of `Comment: ` into one Character, and the
    /// reader refused the file it had written; header names are matched as bytes now.
    @Test(arguments: ["\u{0301}accent first", "\u{0600}", "plain"])
    func ppkCommentReadsBack(_ comment: String) throws {
        let key = try PrivateKey(generating: .ed25519)
        for version in [PPKVersion.v2, .v3] {
            let material = try KeyMaterial(text: key.ppkRepresentation(comment: comment, version: version))
            #expect(material.publicKey == key.publicKey)
            #expect(material.comment == comment)
        }
    }

    /// An OpenSSH line whose comment starts with a combining mark was split by Characters, which glued the comment
    /// to the key; it is split by bytes now, as sshd splits it.
    @Test(arguments: ["\u{0301}accent first", "\u{0600}x", "tab\there"])
    func openSSHCommentReadsBack(_ comment: String) throws {
        let key = try PrivateKey(generating: .ed25519).publicKey
        let material = try KeyMaterial(publicKeyText: key.openSSHRepresentation(comment: comment))
        #expect(material.publicKey == key)
        #expect(material.comment == comment)
    }

    /// 256 or more padding bytes made `UInt8(index + 1)` overflow. OpenSSH pads to the cipher's block size; up to
    /// 255 bytes of 1, 2, 3, … are still read, and longer padding is refused.
    @Test func openSSHPrivateKeyPadding() throws {
        let key = try PrivateKey(generating: .ed25519)
        let parts = try OpenSSHKeyParts(pem: key.openSSHRepresentation(comment: "pad", checkInt: 9))
        let longest = try #require((248...255).first { (parts.unpaddedSecret.count + $0) % 8 == 0 })
        let accepted = try KeyMaterial(text: parts.pem(padding: longest))
        #expect(accepted.publicKey == key.publicKey)
        #expect(accepted.comment == "pad")
        for padding in [longest + 8, longest + 8 * 32] {
            #expect(throws: KeyFormatsError.invalidKey("")) { try KeyMaterial(text: parts.pem(padding: padding)) }
        }
        var wrong = parts
        wrong.paddingByte = { _ in 0 }
        #expect(throws: KeyFormatsError.invalidKey("")) { try KeyMaterial(text: wrong.pem(padding: longest - 8)) }
        let file = try Self.corpus("KeyMaterial", "crash-openssh-padding-256")
        #expect(throws: KeyFormatsError.invalidKey("")) { try KeyMaterial(bytes: file) }
    }

    /// RSA numbers far larger than the modulus went into big-integer division before any size check.
    @Test func openSSHRSAPrivateNumbersLargerThanTheModulus() throws {
        let key = try PrivateKey(generating: .rsa)
        let parts = try OpenSSHKeyParts(pem: key.openSSHRepresentation(checkInt: 3))
        var reader = WireReader(parts.unpaddedSecret)
        let head = reader.take(8 + 4 + 7)  // check values and "ssh-rsa"
        let n = reader.string()
        let e = reader.string()
        let _ = reader.string()
        let rest = reader.rest
        var secret =
            head + Wire.string(n) + Wire.string(e) + Wire.string([0x01] + [UInt8](repeating: 0xA5, count: 200_000))
        secret += rest
        let huge = OpenSSHKeyParts(prefix: parts.prefix, unpaddedSecret: secret)
        #expect(throws: KeyFormatsError.invalidKey("")) {
            try KeyMaterial(text: huge.pem(padding: (8 - secret.count % 8) % 8))
        }
    }

    /// Base64 padding was counted in Characters, which a trailing prepend character (U+0600) miscounts; such text
    /// is refused as not a fingerprint.
    @Test(arguments: ["\u{0600}", "ab\u{0600}", "SHA256:\u{0600}", "\u{0600}\u{0600}\u{0600}"])
    func fingerprintPaddingCountsBytes(_ text: String) {
        #expect(throws: KeyFormatsError.unrecognizedFormat("")) { try FingerprintQuery(text) }
    }

    /// Reading for public keys never hands a private key to its reader; genuine public keys read as before.
    @Test func publicKeyOnlyReadingRefusesPrivateKeysUnread() throws {
        let rsa = try PrivateKey(generating: .rsa)
        let ed = try PrivateKey(generating: .ed25519)
        let privateTexts = [
            rsa.pkcs1PEMRepresentation!, rsa.pkcs8PEMRepresentation, ed.openSSHRepresentation(), ed.ppkRepresentation(),
            rsa.ppkRepresentation(version: .v3), "ssh-rsa\n" + rsa.openSSHRepresentation(),
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
        ]
        for text in privateTexts {
            #expect(throws: KeyFormatsError.publicKeyRequired("")) { try KeyMaterial(publicKeyText: text) }
            if !text.contains("ENCRYPTED") {
                #expect(try KeyMaterial(text: text).privateKey != nil, "the full reader still reads it")
            }
        }
        #expect(throws: KeyFormatsError.invalidEncoding("")) {
            try KeyMaterial(publicKeyBytes: rsa.pkcs8DERRepresentation)
        }
    }

    @Test(arguments: Fixtures.validCases)
    func publicKeyOnlyReadingMatchesFullReadingForPublicFixtures(_ testCase: ValidCase) throws {
        let bytes = try Fixtures.bytes("valid/\(testCase.file)")
        let full = try KeyMaterial(bytes: bytes)
        guard !full.format.isPrivate else {
            #expect(throws: KeyFormatsError.self) { try KeyMaterial(publicKeyBytes: bytes) }
            return
        }
        let publicOnly = try KeyMaterial(publicKeyBytes: bytes)
        #expect(publicOnly.publicKey == full.publicKey)
        #expect(publicOnly.format == full.format)
        #expect(publicOnly.comment == full.comment)
    }

    /// Every malformed public input gives the same error from either reader.
    @Test(arguments: Fixtures.malformedCases)
    func publicKeyOnlyReadingGivesTheSameErrors(_ testCase: MalformedCase) throws {
        let bytes = try Fixtures.bytes("malformed/\(testCase.file)")
        var full: KeyFormatsError?
        do { _ = try KeyMaterial(bytes: bytes) } catch let error as KeyFormatsError { full = error }
        do {
            _ = try KeyMaterial(publicKeyBytes: bytes)
            Issue.record("\(testCase.file) parsed")
        } catch let error as KeyFormatsError {
            #expect(error == full || error.code == .publicKeyRequired, "\(error)")
        }
    }

    /// The whole committed fuzz corpus of the key-format targets goes through every reader without a trap.
    @Test func fuzzCorpusReplays() throws {
        for target in ["KeyMaterial", "PEM", "OpenSSHPublicKey", "RFC4716", "PPK"] {
            for file in try Self.corpusFiles(target) {
                let bytes = Array(try Data(contentsOf: file))
                _ = try? KeyMaterial(bytes: bytes)
                _ = try? KeyMaterial(publicKeyBytes: bytes)
                let text = String(decoding: bytes, as: UTF8.self)
                _ = try? X509Certificate.chain(pemRepresentation: text)
                _ = try? PublicKey(openSSHPublicKey: text)
                _ = try? FingerprintQuery(text)
            }
        }
    }

    static let corpusRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fuzz/Corpus").standardizedFileURL

    static func corpus(_ target: String, _ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: Self.corpusRoot.appendingPathComponent(target).appendingPathComponent(name)))
    }

    static func corpusFiles(_ target: String) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(
            at: Self.corpusRoot.appendingPathComponent(target),
            includingPropertiesForKeys: nil
        )
    }
}

/// SSH wire encoding for building test inputs.
enum Wire {
    static func uint32(_ value: Int) -> [UInt8] {
        [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func string(_ bytes: some Collection<UInt8>) -> [UInt8] { Self.uint32(bytes.count) + bytes }
}

struct WireReader {
    private var bytes: ArraySlice<UInt8>
    init(_ bytes: [UInt8]) { self.bytes = bytes[...] }

    mutating func take(_ count: Int) -> [UInt8] {
        defer { self.bytes = self.bytes.dropFirst(count) }
        return Array(self.bytes.prefix(count))
    }

    mutating func string() -> [UInt8] {
        let length = self.take(4).reduce(0) { $0 << 8 | Int($1) }
        return self.take(length)
    }

    var rest: [UInt8] { Array(self.bytes) }
}

/// An `openssh-key-v1` body taken apart so that its private section can be re-padded.
struct OpenSSHKeyParts {
    /// Everything before the private section's length.
    var prefix: [UInt8]
    /// The private section without its padding.
    var unpaddedSecret: [UInt8]
    /// The padding byte at each offset; OpenSSH's rule unless a test changes it.
    var paddingByte: (Int) -> UInt8 = { UInt8(truncatingIfNeeded: $0 + 1) }

    init(prefix: [UInt8], unpaddedSecret: [UInt8]) {
        self.prefix = prefix
        self.unpaddedSecret = unpaddedSecret
    }

    init(pem: String) throws {
        let base64 = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        var reader = WireReader(Array(try #require(Data(base64Encoded: base64))))
        var prefix = reader.take(15)  // "openssh-key-v1\0"
        for _ in 0..<3 { prefix += Wire.string(reader.string()) }  // cipher, KDF, KDF options
        prefix += reader.take(4)  // key count
        prefix += Wire.string(reader.string())  // public key
        var secret = WireReader(reader.string())
        var unpadded = secret.take(8)
        let name = secret.string()
        unpadded += Wire.string(name)
        let fields = name == Array("ssh-rsa".utf8) ? 6 : 2
        for _ in 0..<(fields + 1) { unpadded += Wire.string(secret.string()) }  // key fields, then the comment
        self.init(prefix: prefix, unpaddedSecret: unpadded)
    }

    func pem(padding: Int) -> String {
        let secret = self.unpaddedSecret + (0..<padding).map(self.paddingByte)
        let body = Data(self.prefix + Wire.string(secret))
        return
            "-----BEGIN OPENSSH PRIVATE KEY-----\n\(body.base64EncodedString(options: .lineLength64Characters))\n-----END OPENSSH PRIVATE KEY-----\n"
    }
}
