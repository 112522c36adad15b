/// Lower-case hexadecimal, the one encoder of the key formats and the server (fingerprints, PPK MACs, IDs derived
/// from digests). `AWSProtocol` keeps a byte-level one of its own for SigV4, which may not depend on this module.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Two digits a byte; with a `separator`, it stands between bytes (`aa:bb:cc`, as `openssl md5 -c` prints).
    public static func encode(_ bytes: some Collection<UInt8>, separator: Character? = nil) -> String {
        let separatorByte = separator?.asciiValue
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * (separatorByte == nil ? 2 : 3))
        for byte in bytes {
            if let separatorByte, !out.isEmpty { out.append(separatorByte) }
            out.append(Self.digits[Int(byte >> 4)])
            out.append(Self.digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
