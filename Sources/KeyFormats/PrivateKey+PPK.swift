import Crypto
import Foundation

extension PrivateKey {
    /// The unencrypted PuTTY private key file (`.ppk`) of the given version, as `puttygen` writes it.
    ///
    /// The MAC is HMAC-SHA-1 keyed with SHA-1("putty-private-key-file-mac-key") for version 2 and HMAC-SHA-256 with
    /// an empty key for version 3, over the algorithm, encryption, comment, public and private blobs.
    public func ppkRepresentation(comment: String = "", version: PPKVersion = .v2) -> String {
        let publicBlob = self.publicKey.sshWireRepresentation
        let privateBlob = self.ppkPrivateBlob
        let mac = Self.ppkMAC(
            version: version,
            algorithm: self.keyType.sshName,
            comment: comment,
            publicBlob: publicBlob,
            privateBlob: privateBlob
        )
        let publicLines = Base64.encodeLines(publicBlob, width: 64)
        let privateLines = Base64.encodeLines(privateBlob, width: 64)
        var lines = [
            "PuTTY-User-Key-File-\(version.rawValue): \(self.keyType.sshName)",
            "Encryption: none",
            "Comment: \(comment)",
            "Public-Lines: \(publicLines.count)",
        ]
        lines += publicLines.map(String.init)
        lines.append("Private-Lines: \(privateLines.count)")
        lines += privateLines.map(String.init)
        lines.append("Private-MAC: \(mac.hexString)")
        return lines.joined(separator: "\n") + "\n"
    }

    private var ppkPrivateBlob: [UInt8] {
        var writer = SSHWireWriter()
        switch self.backing {
        case .rsa(let numbers):
            writer.writePositiveMPInt(numbers.privateExponent)
            writer.writePositiveMPInt(numbers.prime1)
            writer.writePositiveMPInt(numbers.prime2)
            writer.writePositiveMPInt(numbers.coefficient)
        case .ed25519(let key):
            writer.writeString(Array(key.rawRepresentation))
        }
        return writer.bytes
    }

    private static func ppkMAC(
        version: PPKVersion,
        algorithm: String,
        comment: String,
        publicBlob: [UInt8],
        privateBlob: [UInt8]
    ) -> [UInt8] {
        var input = SSHWireWriter()
        input.writeString(algorithm)
        input.writeString("none")
        input.writeString(comment)
        input.writeString(publicBlob)
        input.writeString(privateBlob)
        switch version {
        case .v2:
            let key = SymmetricKey(data: Insecure.SHA1.hash(data: Array("putty-private-key-file-mac-key".utf8)))
            return Array(HMAC<Insecure.SHA1>.authenticationCode(for: input.bytes, using: key))
        case .v3:
            return Array(HMAC<SHA256>.authenticationCode(for: input.bytes, using: SymmetricKey(data: [UInt8]())))
        }
    }

    /// Parses a PuTTY private key file, versions 2 and 3, returning the key and its comment.
    static func parsePPK(_ text: Substring) throws -> (key: PrivateKey, comment: String) {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { line -> Substring in
            line.last == "\r" ? line.dropLast(1) : line
        }[...]
        // Header names are matched and cut off as bytes: a value that starts with a combining mark joins the space
        // before it into one Character, so a Character-based prefix test refused what the writer wrote.
        func header(_ name: String) throws -> String {
            guard let line = lines.popFirst() else {
                throw KeyFormatsError.truncated("The PPK file ends before its '\(name)' line.")
            }
            let prefix = (name + ": ").utf8
            guard line.utf8.starts(with: prefix) else {
                throw KeyFormatsError.invalidEncoding(
                    "The PPK file has '\(line.quotedForMessage(limit: 30))' where '\(name):' belongs."
                )
            }
            return String(decoding: line.utf8.dropFirst(prefix.count), as: UTF8.self)
        }
        func base64Lines(_ name: String) throws -> [UInt8] {
            guard let count = Int(try header(name)), (0...4096).contains(count) else {
                throw KeyFormatsError.invalidEncoding("The PPK file's '\(name)' count is not a number.")
            }
            guard lines.count >= count else {
                throw KeyFormatsError.truncated("The PPK file ends inside its \(name.lowercased()).")
            }
            let text = lines.prefix(count).joined()
            lines = lines.dropFirst(count)
            guard let bytes = Base64.decode(text) else {
                throw KeyFormatsError.invalidEncoding("The PPK file's \(name.lowercased()) are not valid base64.")
            }
            return bytes
        }

        let first = lines.popFirst() ?? ""
        let version: PPKVersion
        if first.utf8.starts(with: "PuTTY-User-Key-File-2: ".utf8) {
            version = .v2
        } else if first.utf8.starts(with: "PuTTY-User-Key-File-3: ".utf8) {
            version = .v3
        } else {
            throw KeyFormatsError.unrecognizedFormat("Only PuTTY key files of versions 2 and 3 are supported.")
        }
        let algorithm = String(decoding: first.utf8.dropFirst("PuTTY-User-Key-File-2: ".utf8.count), as: UTF8.self)
        let keyType = try KeyType.fromSSHName(algorithm)
        let encryption = try header("Encryption")
        guard encryption == "none" else {
            throw KeyFormatsError.passphraseProtected(
                "The PPK file is protected by a passphrase (\(encryption.quotedForMessage())); save it without one in puttygen first."
            )
        }
        let comment = try header("Comment")
        let publicBlob = try base64Lines("Public-Lines")
        let privateBlob = try base64Lines("Private-Lines")
        let macHex = try header("Private-MAC")
        if lines.contains(where: { !$0.isEmpty }) {
            throw KeyFormatsError.trailingData("The PPK file has lines after its Private-MAC line.")
        }
        let expected = Self.ppkMAC(
            version: version,
            algorithm: algorithm,
            comment: comment,
            publicBlob: publicBlob,
            privateBlob: privateBlob
        )
        guard macHex.lowercased() == expected.hexString else {
            throw KeyFormatsError.invalidKey(
                "The PPK file's Private-MAC does not match its contents; it was altered or damaged."
            )
        }

        let publicKey = try PublicKey(sshWireRepresentation: publicBlob)
        guard publicKey.keyType == keyType else {
            throw KeyFormatsError.algorithmMismatch(
                "The PPK file says \(algorithm), but its public key is \(publicKey.keyType.sshName)."
            )
        }
        var reader = SSHWireReader(privateBlob, context: "PPK private blob")
        let key: PrivateKey
        switch publicKey.backing {
        case .rsa(let modulus, let exponent):
            let d = try reader.readPositiveMPInt()
            let p = try reader.readPositiveMPInt()
            let q = try reader.readPositiveMPInt()
            let iqmp = try reader.readPositiveMPInt()
            key = try PrivateKey(
                rsaNumbers: try RSAPrivateKeyNumbers(
                    modulus: modulus,
                    publicExponent: exponent,
                    privateExponent: d,
                    prime1: p,
                    prime2: q,
                    coefficient: iqmp
                )
            )
        case .ed25519:
            key = try PrivateKey(ed25519Seed: try reader.readString())
        }
        try reader.expectEnd()
        guard key.publicKey == publicKey else {
            throw KeyFormatsError.invalidKey("The PPK file's private key does not belong to its public key.")
        }
        return (key, comment)
    }
}

extension Collection<UInt8> {
    /// Lower-case hexadecimal, two digits a byte.
    var hexString: String { Hex.encode(self) }
}
