import Crypto

extension PrivateKey {
    private static let openSSHMagic = Array("openssh-key-v1".utf8) + [0]
    static let openSSHLabel = "OPENSSH PRIVATE KEY"

    /// The unencrypted `openssh-key-v1` form (OpenSSH's PROTOCOL.key), as `ssh-keygen` writes it.
    ///
    /// - Parameters:
    ///   - comment: The comment stored with the key.
    ///   - checkInt: The random check value OpenSSH writes twice; injectable so tests can pin the output.
    public func openSSHRepresentation(comment: String = "", checkInt: UInt32 = .random(in: .min ... .max)) -> String {
        var secret = SSHWireWriter()
        secret.writeUInt32(checkInt)
        secret.writeUInt32(checkInt)
        secret.writeString(self.keyType.sshName)
        switch self.backing {
        case .rsa(let numbers):
            secret.writePositiveMPInt(numbers.modulus)
            secret.writePositiveMPInt(numbers.publicExponent)
            secret.writePositiveMPInt(numbers.privateExponent)
            secret.writePositiveMPInt(numbers.coefficient)
            secret.writePositiveMPInt(numbers.prime1)
            secret.writePositiveMPInt(numbers.prime2)
        case .ed25519(let key):
            let publicRaw = Array(key.publicKey.rawRepresentation)
            secret.writeString(publicRaw)
            secret.writeString(Array(key.rawRepresentation) + publicRaw)
        }
        secret.writeString(comment)
        var pad: UInt8 = 1
        while secret.bytes.count % 8 != 0 {
            secret.writeBytes([pad])
            pad += 1
        }

        var writer = SSHWireWriter()
        writer.writeBytes(Self.openSSHMagic)
        writer.writeString("none")
        writer.writeString("none")
        writer.writeString([UInt8]())
        writer.writeUInt32(1)
        writer.writeString(self.publicKey.sshWireRepresentation)
        writer.writeString(secret.bytes)
        return PEMBlock.render(label: Self.openSSHLabel, body: writer.bytes, width: 70)
    }

    /// Parses the binary body of an `openssh-key-v1` key, returning the key and its comment.
    static func parseOpenSSH(_ body: [UInt8]) throws -> (key: PrivateKey, comment: String) {
        guard body.starts(with: Self.openSSHMagic) else {
            throw KeyFormatsError.invalidEncoding("The OpenSSH private key does not start with 'openssh-key-v1'.")
        }
        var reader = SSHWireReader(body.dropFirst(Self.openSSHMagic.count), context: "OpenSSH private key")
        let cipher = try reader.readName()
        let kdf = try reader.readName()
        _ = try reader.readString()
        guard cipher == "none", kdf == "none" else {
            throw KeyFormatsError.passphraseProtected(
                "The OpenSSH private key is protected by a passphrase (cipher \(cipher.quotedForMessage())); remove it with 'ssh-keygen -p' first."
            )
        }
        let count = try reader.readUInt32()
        guard count == 1 else {
            throw KeyFormatsError.multipleKeys("The OpenSSH private key file holds \(count) keys; it must hold one.")
        }
        let publicKey = try PublicKey(sshWireRepresentation: try reader.readString())
        let secretBytes = try reader.readString()
        try reader.expectEnd()
        guard secretBytes.count % 8 == 0 else {
            throw KeyFormatsError.invalidKey("The OpenSSH private section is not padded to a multiple of 8 bytes.")
        }

        var secret = SSHWireReader(secretBytes, context: "OpenSSH private section")
        guard try secret.readUInt32() == (try secret.readUInt32()) else {
            throw KeyFormatsError.invalidKey("The OpenSSH private key's two check values differ.")
        }
        let name = try secret.readName()
        guard name == publicKey.keyType.sshName else {
            throw KeyFormatsError.algorithmMismatch(
                "The OpenSSH key's public part is \(publicKey.keyType.sshName), but its private part is '\(name.quotedForMessage())'."
            )
        }
        let key: PrivateKey
        switch publicKey.keyType {
        case .rsa:
            let n = try secret.readPositiveMPInt()
            let e = try secret.readPositiveMPInt()
            let d = try secret.readPositiveMPInt()
            let iqmp = try secret.readPositiveMPInt()
            let p = try secret.readPositiveMPInt()
            let q = try secret.readPositiveMPInt()
            key = try PrivateKey(
                rsaNumbers: try RSAPrivateKeyNumbers(
                    modulus: n,
                    publicExponent: e,
                    privateExponent: d,
                    prime1: p,
                    prime2: q,
                    coefficient: iqmp
                )
            )
        case .ed25519:
            let publicRaw = try secret.readString()
            let combined = try secret.readString()
            guard combined.count == 64, combined.suffix(32).elementsEqual(publicRaw) else {
                throw KeyFormatsError.invalidKey(
                    "The OpenSSH Ed25519 private key is not 32 seed bytes and the public key."
                )
            }
            key = try PrivateKey(ed25519Seed: combined.prefix(32))
        }
        let comment = String(decoding: try secret.readString(), as: UTF8.self)
        let padding = secret.readRemaining()
        // Writers pad to the cipher's block size (PROTOCOL.key), so real padding is a few bytes. sshkey.c would take
        // any length, counting 1, 2, … modulo 256; anything past 255 bytes is refused here rather than read on.
        guard padding.count <= 255 else {
            throw KeyFormatsError.invalidKey(
                "The OpenSSH private section has \(padding.count) bytes of padding; at most 255 are allowed."
            )
        }
        guard padding.enumerated().allSatisfy({ $0.element == UInt8(truncatingIfNeeded: $0.offset + 1) }) else {
            throw KeyFormatsError.invalidKey("The OpenSSH private section's padding is not 1, 2, 3, ….")
        }
        guard key.publicKey == publicKey else {
            throw KeyFormatsError.invalidKey("The OpenSSH key's private part does not belong to its public part.")
        }
        return (key, comment)
    }
}
