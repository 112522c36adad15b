/// A key read from a file of any supported format: a public key, with its private key when the file holds one.
///
/// Reading accepts everything that AWS's ImportKeyPair takes (OpenSSH lines, RFC 4716 blocks, base64 DER and PEM
/// SubjectPublicKeyInfo), PKCS#1 `RSA PUBLIC KEY`, and unencrypted private keys in PKCS#1, PKCS#8, OpenSSH and
/// PuTTY formats. Anything else is refused with a ``KeyFormatsError`` that says why.
public struct KeyMaterial: Sendable {
    /// The encodings a key can be read from.
    public enum Format: String, Hashable, Sendable {
        case openSSHPublicKey = "OpenSSH public key"
        case rfc4716 = "RFC 4716 public key"
        case spkiDER = "DER SubjectPublicKeyInfo"
        case spkiPEM = "PEM public key"
        case pkcs1PublicPEM = "PKCS#1 RSA public key"
        case pkcs1PEM = "PKCS#1 RSA private key"
        case pkcs8PEM = "PKCS#8 private key"
        case pkcs8DER = "DER PKCS#8 private key"
        case openSSHPrivateKey = "OpenSSH private key"
        case ppk2 = "PuTTY private key (v2)"
        case ppk3 = "PuTTY private key (v3)"

        /// Whether files in this format hold a private key.
        public var isPrivate: Bool {
            switch self {
            case .pkcs1PEM, .pkcs8PEM, .pkcs8DER, .openSSHPrivateKey, .ppk2, .ppk3: true
            default: false
            }
        }
    }

    /// The public key.
    public let publicKey: PublicKey
    /// The private key, when the input held one.
    public let privateKey: PrivateKey?
    /// The comment stored with the key, when the format has one and it is not empty.
    public let comment: String?
    /// The format the key was read from.
    public let format: Format

    /// Wraps a private key, for writing it out again.
    public init(privateKey: PrivateKey, comment: String?, format: Format) {
        self.publicKey = privateKey.publicKey
        self.privateKey = privateKey
        self.comment = comment
        self.format = format
    }

    private init(publicKey: PublicKey, comment: String?, format: Format) {
        self.publicKey = publicKey
        self.privateKey = nil
        self.comment = comment.flatMap { $0.isEmpty ? nil : $0 }
        self.format = format
    }

    /// Every fingerprint of the key; ``KeyFingerprints/awsCreated`` needs the private key for RSA.
    public var fingerprints: KeyFingerprints { KeyFingerprints(publicKey: self.publicKey, privateKey: self.privateKey) }

    /// Which readers a parse may use.
    private enum Reading {
        /// Public and private key formats.
        case any
        /// Public key formats only: private key formats are named and refused, never parsed.
        case publicKeyOnly
    }

    /// Reads a key from the bytes of a file, detecting its format.
    public init(bytes: some Collection<UInt8>) throws {
        try self.init(bytes: Array(bytes), reading: .any)
    }

    /// Reads a key from text, detecting its format.
    public init(text: String) throws {
        try self.init(bytes: Array(text.utf8), reading: .any)
    }

    /// Reads a public key from the bytes of a file, detecting its format, as EC2's ImportKeyPair takes it.
    ///
    /// Takes the public formats that ``init(bytes:)`` takes and never runs a private key reader: PEM private keys,
    /// PuTTY files and DER that is not a SubjectPublicKeyInfo are refused (the first two with
    /// ``KeyFormatsError/Code/publicKeyRequired``) before their contents are parsed. For input from the network,
    /// where nothing secret is wanted.
    public init(publicKeyBytes bytes: some Collection<UInt8>) throws {
        try self.init(bytes: Array(bytes), reading: .publicKeyOnly)
    }

    /// Reads a public key from text, detecting its format; see ``init(publicKeyBytes:)``.
    public init(publicKeyText text: String) throws {
        try self.init(bytes: Array(text.utf8), reading: .publicKeyOnly)
    }

    private init(bytes: [UInt8], reading: Reading) throws {
        guard !bytes.isEmpty else {
            throw KeyFormatsError.unrecognizedFormat("The input is empty.")
        }
        if bytes.first == 0x30 {
            self = try Self.parseDER(bytes, reading: reading)
            return
        }
        if let line = Self.plainOpenSSHLine(bytes) {
            let (key, comment) = try PublicKey.parseOpenSSHLine(line)
            self = KeyMaterial(publicKey: key, comment: comment, format: .openSSHPublicKey)
            return
        }
        guard let text = String(validating: bytes, as: UTF8.self), !text.utf8.contains(0) else {
            throw KeyFormatsError.unrecognizedFormat("The input is binary data that is not a DER key.")
        }
        self = try Self.parseText(text, reading: reading)
    }

    private static func parseDER(_ bytes: [UInt8], reading: Reading) throws -> KeyMaterial {
        if reading == .publicKeyOnly {
            return KeyMaterial(publicKey: try PublicKey(derRepresentation: bytes), comment: nil, format: .spkiDER)
        }
        if let key = try? PublicKey(derRepresentation: bytes) {
            return KeyMaterial(publicKey: key, comment: nil, format: .spkiDER)
        }
        if let key = try? PrivateKey(pkcs8DERRepresentation: bytes) {
            return KeyMaterial(privateKey: key, comment: nil, format: .pkcs8DER)
        }
        // Run the public parse again to report its reason: the most common binary input is a public key.
        _ = try PublicKey(derRepresentation: bytes)
        throw KeyFormatsError.unrecognizedFormat("The input is not a DER key.")
    }

    /// The input as one OpenSSH public key line when it plainly is one: printable ASCII on a single line (white space
    /// around it aside), starting with an SSH key type name, with no PEM marker. Such input takes the same path in
    /// ``parseText(_:)``; this reaches it without the Unicode-aware scans that ImportKeyPair would pay on every call.
    private static func plainOpenSSHLine(_ bytes: [UInt8]) -> Substring? {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else {
            return nil
        }
        let line = bytes[first...last]
        guard line.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 <= 0x7E) }),
            line.starts(with: "ssh-".utf8) || line.starts(with: "ecdsa-sha2-".utf8) || line.starts(with: "sk-".utf8),
            !line.indices.contains(where: { line[$0...].starts(with: "-----BEGIN ".utf8) })
        else { return nil }
        return Substring(decoding: line, as: UTF8.self)
    }

    private static func parseText(_ text: String, reading: Reading) throws -> KeyMaterial {
        var body = text[...]
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        body = body.drop(while: { $0.isWhitespace }).trimmingSuffix { $0.isWhitespace }
        guard !body.isEmpty else {
            throw KeyFormatsError.unrecognizedFormat("The input holds only white space.")
        }
        if body.hasPrefix("PuTTY-User-Key-File-") {
            guard reading == .any else {
                throw KeyFormatsError.publicKeyRequired(
                    "The input is a PuTTY private key file; give only the public key."
                )
            }
            let (key, comment) = try PrivateKey.parsePPK(body)
            return KeyMaterial(
                privateKey: key,
                comment: comment,
                format: body.hasPrefix("PuTTY-User-Key-File-3") ? .ppk3 : .ppk2
            )
        }
        if body.hasPrefix("---- BEGIN SSH2 PUBLIC KEY ----") {
            let (key, comment) = try PublicKey.parseRFC4716(body)
            return KeyMaterial(publicKey: key, comment: comment, format: .rfc4716)
        }
        if body.hasPrefix("SSH PRIVATE KEY FILE FORMAT 1.1") || body.hasPrefix("PuTTY-User-Key-File-1") {
            throw KeyFormatsError.unsupportedKeyType("SSH-1 RSA keys are not supported; use an SSH-2 key.")
        }
        if body.contains("-----BEGIN ") {
            return try Self.parsePEM(body, reading: reading)
        }
        let lines = body.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }
        if lines.count > 1 {
            if lines.filter({ $0.split(separator: " ").contains(where: KeyType.isSSHKeyName) }).count > 1 {
                throw KeyFormatsError.multipleKeys("The input holds \(lines.count) key lines; give one key.")
            }
            if !lines.allSatisfy({ $0.allSatisfy(Self.isBase64Character) }) {
                throw KeyFormatsError.unrecognizedFormat(
                    "The input has \(lines.count) lines but is not an RFC 4716 block or PEM; an OpenSSH key is one line."
                )
            }
        }
        if body.allSatisfy({ Self.isBase64Character($0) || $0.isWhitespace }) {
            guard let der = Base64.decodeLines(body) else {
                throw KeyFormatsError.invalidEncoding("The input looks like base64 DER but is not valid base64.")
            }
            if let key = try? PublicKey(pkcs1DERRepresentation: der) {
                return KeyMaterial(publicKey: key, comment: nil, format: .spkiDER)
            }
            return KeyMaterial(publicKey: try PublicKey(derRepresentation: der), comment: nil, format: .spkiDER)
        }
        let (key, comment) = try PublicKey.parseOpenSSHLine(body)
        return KeyMaterial(publicKey: key, comment: comment, format: .openSSHPublicKey)
    }

    private static func isBase64Character(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        return (0x41...0x5A).contains(ascii) || (0x61...0x7A).contains(ascii) || (0x30...0x39).contains(ascii)
            || ascii == 0x2B || ascii == 0x2F || ascii == 0x3D
    }

    private static func parsePEM(_ text: Substring, reading: Reading) throws -> KeyMaterial {
        let blocks = try PEMBlock.parseAll(text)
        guard let block = blocks.first else {
            throw KeyFormatsError.truncated("The input has a '-----BEGIN' marker but no complete PEM block.")
        }
        guard blocks.count == 1 else {
            throw KeyFormatsError.multipleKeys("The input holds \(blocks.count) PEM blocks; give one key.")
        }
        if reading == .publicKeyOnly, block.label.hasSuffix("PRIVATE KEY") {
            throw KeyFormatsError.publicKeyRequired(
                "The input is a PEM '\(block.label.quotedForMessage())'; give only the public key."
            )
        }
        if block.headers["Proc-Type"]?.contains("ENCRYPTED") == true {
            throw KeyFormatsError.passphraseProtected(
                "The \(block.label.quotedForMessage()) is protected by a passphrase; remove it with 'openssl pkey' or 'ssh-keygen -p' first."
            )
        }
        switch block.label {
        case "RSA PRIVATE KEY":
            return KeyMaterial(
                privateKey: try PrivateKey(pkcs1DERRepresentation: block.body),
                comment: nil,
                format: .pkcs1PEM
            )
        case "PRIVATE KEY":
            return KeyMaterial(
                privateKey: try PrivateKey(pkcs8DERRepresentation: block.body),
                comment: nil,
                format: .pkcs8PEM
            )
        case PrivateKey.openSSHLabel:
            let (key, comment) = try PrivateKey.parseOpenSSH(block.body)
            return KeyMaterial(privateKey: key, comment: comment.isEmpty ? nil : comment, format: .openSSHPrivateKey)
        case "PUBLIC KEY":
            return KeyMaterial(publicKey: try PublicKey(derRepresentation: block.body), comment: nil, format: .spkiPEM)
        case "RSA PUBLIC KEY":
            return KeyMaterial(
                publicKey: try PublicKey(pkcs1DERRepresentation: block.body),
                comment: nil,
                format: .pkcs1PublicPEM
            )
        case "ENCRYPTED PRIVATE KEY":
            throw KeyFormatsError.passphraseProtected(
                "The PKCS#8 private key is protected by a passphrase; remove it with 'openssl pkey' first."
            )
        case "DSA PRIVATE KEY":
            throw KeyFormatsError.unsupportedKeyType("DSA keys are not supported; use RSA or Ed25519.")
        case "EC PRIVATE KEY":
            throw KeyFormatsError.unsupportedKeyType("ECDSA keys are not supported; use RSA or Ed25519.")
        case "CERTIFICATE":
            throw KeyFormatsError.unrecognizedFormat("The input is an X.509 certificate, not a key.")
        default:
            let shown = block.label.quotedForMessage()
            throw KeyFormatsError.unrecognizedFormat("A PEM block labelled '\(shown)' does not hold a supported key.")
        }
    }
}
