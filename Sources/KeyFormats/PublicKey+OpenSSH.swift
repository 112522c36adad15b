extension PublicKey {
    /// Parses a one-line OpenSSH public key (`ssh-ed25519 AAAA… comment`), as in `authorized_keys` (sshd(8)).
    ///
    /// Option prefixes, several keys and blobs whose inner algorithm differs from the prefix are refused.
    public init(openSSHPublicKey line: String) throws {
        self = try Self.parseOpenSSHLine(line[...]).key
    }

    /// The one-line OpenSSH form, `<type> <base64 blob>` followed by the comment when there is one.
    public func openSSHRepresentation(comment: String? = nil) -> String {
        let base = "\(self.keyType.sshName) \(Base64.encode(self.sshWireRepresentation))"
        guard let comment, !comment.isEmpty else { return base }
        return "\(base) \(comment)"
    }

    /// Parses one OpenSSH public-key line, returning the key and its comment, if any.
    static func parseOpenSSHLine(_ line: Substring) throws -> (key: PublicKey, comment: String?) {
        // Split as bytes, as sshd does: a comment that starts with a combining mark joins the space before it into
        // one Character, and a Character-based split glued it to the key.
        let fields = line.utf8.split(maxSplits: 2, omittingEmptySubsequences: true) { $0 == 0x20 || $0 == 0x09 }
            .map { String(decoding: $0, as: UTF8.self)[...] }
        guard let typeField = fields.first else {
            throw KeyFormatsError.unrecognizedFormat("The input is empty.")
        }
        guard KeyType.isSSHKeyName(typeField) else {
            if line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).dropFirst().contains(
                where: KeyType.isSSHKeyName
            ) {
                throw KeyFormatsError.optionsNotAllowed(
                    "The key line starts with authorized_keys options; give the key alone, starting with its type."
                )
            }
            throw KeyFormatsError.unrecognizedFormat(
                "The input is not an OpenSSH public key line, an RFC 4716 block, PEM or base64 DER."
            )
        }
        let outerType = try KeyType.fromSSHName(String(typeField))
        guard fields.count >= 2 else {
            throw KeyFormatsError.truncated("The \(outerType.sshName) line has no base64 key after its type.")
        }
        guard let blob = Base64.decode(fields[1]) else {
            throw KeyFormatsError.invalidEncoding("The \(outerType.sshName) line's key is not valid base64.")
        }
        var reader = SSHWireReader(blob, context: "public key blob")
        let innerName = try reader.readName()
        guard innerName == outerType.sshName else {
            let shown = innerName.quotedForMessage()
            throw KeyFormatsError.algorithmMismatch(
                "The line says \(outerType.sshName), but the key blob inside says '\(shown)'."
            )
        }
        let key = try PublicKey(sshWireRepresentation: blob)
        let comment = fields.count > 2 ? String(fields[2]).trimmingTrailingWhitespace() : nil
        return (key, comment)
    }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        String(self[...].trimmingSuffix { $0.isWhitespace })
    }
}
