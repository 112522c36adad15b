import Crypto
import Foundation

/// AWS Signature Version 4 as a server verifies it (AWS General Reference, "Signature Version 4 signing process"):
/// the parsed signature, the canonical request, the string to sign, the signing key and the comparison, as separate
/// steps so each can be tested against AWS's vectors.
///
/// The secret is not looked up here: the caller finds the signing key for the access key in ``SignedRequest/scope``.
public struct SignedRequest: Sendable {
    /// The access key, date, region and service the client signed for.
    public let scope: CredentialScope
    /// The lower-case names of the signed headers, as the client listed them.
    public let signedHeaders: [String]
    /// The client's signature, 64 lower-case hex digits.
    public let signature: String
    /// The request time, `YYYYMMDDTHHMMSSZ`.
    public let amzDate: String
    /// The session token, when temporary credentials signed the request.
    public let securityToken: String?
    /// For presigned URLs, the validity in seconds after ``amzDate``; nil for header-signed requests.
    public let expires: Int?

    /// The presigned-URL limit AWS applies (S3's cap of seven days).
    public static let maximumExpires = 604_800
    /// The clock skew EC2, IAM and STS accept either way.
    public static let allowedSkew: TimeInterval = 15 * 60

    /// Reads the signature of a request from its `Authorization` header or its presigned query parameters.
    ///
    /// Returns nil when the request carries no signature at all; throws ``SignatureV4Failure`` when it carries one
    /// that is incomplete or malformed.
    public init?(request: AWSRequest, parameters: QueryParameters) throws(SignatureV4Failure) {
        if let authorization = request.header("Authorization") {
            guard authorization.hasPrefix("AWS4-HMAC-SHA256") else {
                throw .incompleteSignature("Only AWS4-HMAC-SHA256 signatures are supported.")
            }
            // Read as UTF-8 bytes: every part of a well-formed header is ASCII, and this runs for every request.
            var credential, signedHeaders, signature: Substring?
            for part in authorization.utf8.dropFirst("AWS4-HMAC-SHA256".utf8.count).split(separator: UInt8(ascii: ",")) {
                let trimmed = part.drop(while: { $0 == UInt8(ascii: " ") })
                guard let equals = trimmed.firstIndex(of: UInt8(ascii: "=")) else { continue }
                let name = trimmed[..<equals]
                let value = Substring(trimmed[trimmed.index(after: equals)...].prefix { $0 != UInt8(ascii: " ") })
                if name.elementsEqual("Credential".utf8) {
                    credential = value
                } else if name.elementsEqual("SignedHeaders".utf8) {
                    signedHeaders = value
                } else if name.elementsEqual("Signature".utf8) {
                    signature = value
                }
            }
            guard let credential, let signedHeaders, let signature else {
                throw .incompleteSignature(
                    "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters."
                )
            }
            guard let amzDate = request.header("X-Amz-Date") else {
                throw .incompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
            }
            try self.init(
                credential: credential, signedHeaders: signedHeaders, signature: signature, amzDate: amzDate,
                securityToken: request.header("X-Amz-Security-Token"), expires: nil
            )
        } else if let algorithm = parameters["X-Amz-Algorithm"] {
            guard algorithm == "AWS4-HMAC-SHA256" else {
                throw .incompleteSignature("X-Amz-Algorithm only supports 'AWS4-HMAC-SHA256'.")
            }
            guard let credential = parameters["X-Amz-Credential"], let signedHeaders = parameters["X-Amz-SignedHeaders"],
                let signature = parameters["X-Amz-Signature"], let amzDate = parameters["X-Amz-Date"],
                let expiresText = parameters["X-Amz-Expires"]
            else {
                throw .incompleteSignature(
                    "Presigned URLs require X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature."
                )
            }
            guard let expires = Int(expiresText), (1...Self.maximumExpires).contains(expires) else {
                throw .incompleteSignature("X-Amz-Expires must be a number of seconds from 1 to \(Self.maximumExpires).")
            }
            try self.init(
                credential: credential[...], signedHeaders: signedHeaders[...], signature: signature[...],
                amzDate: amzDate, securityToken: parameters["X-Amz-Security-Token"], expires: expires
            )
        } else {
            return nil
        }
    }

    private init(
        credential: Substring, signedHeaders: Substring, signature: Substring, amzDate: String, securityToken: String?,
        expires: Int?
    ) throws(SignatureV4Failure) {
        guard let scope = CredentialScope(credential: credential) else {
            throw .incompleteSignature("The Credential is not of the form AKID/yyyymmdd/region/service/aws4_request.")
        }
        guard amzDate.utf8.count == 16, amzDate.hasPrefix(scope.date), AmzDate.parse(amzDate) != nil else {
            throw .incompleteSignature("The credential date does not match X-Amz-Date, or X-Amz-Date is malformed.")
        }
        let headers = signedHeaders.utf8.split(separator: UInt8(ascii: ";")).map { Substring($0).lowercased() }
        guard !headers.isEmpty, headers.contains("host") else {
            throw .incompleteSignature("The signed headers must include 'host'.")
        }
        guard signature.utf8.count == 64, signature.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            throw .signatureMismatch
        }
        self.scope = scope
        self.signedHeaders = headers
        self.signature = String(signature)
        self.amzDate = amzDate
        self.securityToken = securityToken
        self.expires = expires
    }

    /// Checks the request time against `now`: within the skew for header signatures, within the validity for
    /// presigned URLs.
    public func checkTime(now: Date) throws(SignatureV4Failure) {
        guard let signed = AmzDate.parse(self.amzDate) else { throw .incompleteSignature("X-Amz-Date is malformed.") }
        if let expires {
            guard now.timeIntervalSince(signed) <= TimeInterval(expires) else { throw .presignedURLExpired }
            guard signed.timeIntervalSince(now) <= Self.allowedSkew else { throw .notYetCurrent(signed: signed, now: now) }
        } else {
            guard now.timeIntervalSince(signed) <= Self.allowedSkew else { throw .expired(signed: signed, now: now) }
            guard signed.timeIntervalSince(now) <= Self.allowedSkew else { throw .notYetCurrent(signed: signed, now: now) }
        }
    }

    /// The canonical request (step 1 of the signing process).
    public func canonicalRequest(for request: AWSRequest) -> String {
        String(decoding: self.canonicalRequestBytes(for: request), as: UTF8.self)
    }

    /// The canonical request as UTF-8, built in one buffer: this runs for every signed request.
    private func canonicalRequestBytes(for request: AWSRequest) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        out.append(contentsOf: request.method.uppercased().utf8)
        out.append(0x0A)
        out.append(contentsOf: Self.canonicalURI(request.path).utf8)
        out.append(0x0A)
        out.append(contentsOf: Self.canonicalQuery(request.query, presigned: self.expires != nil).utf8)
        out.append(0x0A)
        // Lower-case each header name once, not once per signed header.
        let headers = request.headers.map { (name: $0.name.lowercased(), value: $0.value) }
        let signedHeaders = self.signedHeaders.sorted()
        for name in signedHeaders {
            out.append(contentsOf: name.utf8)
            out.append(0x3A)
            var first = true
            for header in headers where header.name == name {
                if !first { out.append(0x2C) }
                first = false
                out.append(contentsOf: Self.normalizeHeaderValue(header.value).utf8)
            }
            out.append(0x0A)
        }
        out.append(0x0A)
        for (index, name) in signedHeaders.enumerated() {
            if index > 0 { out.append(0x3B) }
            out.append(contentsOf: name.utf8)
        }
        out.append(0x0A)
        Self.appendHex(SHA256.hash(data: request.body), to: &out)
        return out
    }

    /// The string to sign (step 2).
    public func stringToSign(for request: AWSRequest) -> String {
        String(decoding: self.stringToSignBytes(for: request), as: UTF8.self)
    }

    private func stringToSignBytes(for request: AWSRequest) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160)
        out.append(contentsOf: "AWS4-HMAC-SHA256\n".utf8)
        out.append(contentsOf: self.amzDate.utf8)
        out.append(0x0A)
        for part in [self.scope.date, self.scope.region, self.scope.service] {
            out.append(contentsOf: part.utf8)
            out.append(0x2F)
        }
        out.append(contentsOf: "aws4_request\n".utf8)
        Self.appendHex(SHA256.hash(data: self.canonicalRequestBytes(for: request)), to: &out)
        return out
    }

    /// The signing key for a secret and a scope (step 3); cache it per access key, date, region and service.
    public static func signingKey(secret: String, date: String, region: String, service: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array(("AWS4" + secret).utf8))
        for part in [date, region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return key
    }

    /// The expected signature with a signing key (step 4), in hex.
    public func expectedSignature(for request: AWSRequest, signingKey: SymmetricKey) -> String {
        Self.hex(HMAC<SHA256>.authenticationCode(for: self.stringToSignBytes(for: request), using: signingKey))
    }

    /// Verifies the signature with the signing key, comparing in constant time.
    public func verify(_ request: AWSRequest, signingKey: SymmetricKey) throws(SignatureV4Failure) {
        try self.verify(request, keyedWith: HMAC<SHA256>(key: signingKey))
    }

    /// Verifies the signature with an HMAC already keyed with the signing key (copied, never changed), so a server
    /// that caches it per signing key skips the key set-up on every request.
    public func verify(_ request: AWSRequest, keyedWith keyed: HMAC<SHA256>) throws(SignatureV4Failure) {
        guard let given = Self.bytes(hex: self.signature) else { throw .signatureMismatch }
        var mac = keyed
        mac.update(data: self.stringToSignBytes(for: request))
        // HashedAuthenticationCode's == compares in constant time.
        guard mac.finalize() == given else { throw .signatureMismatch }
    }

    // MARK: - Canonical forms

    static func canonicalURI(_ path: String) -> String {
        let decoded = Self.percentDecode(path.isEmpty ? "/" : path, plusIsSpace: false)
        return Self.uriEncode(decoded, keepSlash: true)
    }

    static func canonicalQuery(_ query: String, presigned: Bool) -> String {
        guard !query.isEmpty else { return "" }
        var pairs: [(String, String)] = []
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.percentDecode(String(parts[0]), plusIsSpace: true)
            if presigned && name == "X-Amz-Signature" { continue }
            let value = parts.count > 1 ? Self.percentDecode(String(parts[1]), plusIsSpace: true) : ""
            pairs.append((Self.uriEncode(name, keepSlash: false), Self.uriEncode(value, keepSlash: false)))
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    static func normalizeHeaderValue(_ value: String) -> String {
        // Most values need nothing: no tab, no leading, trailing or doubled space.
        let utf8 = value.utf8
        var previousSpace = true
        var clean = true
        for byte in utf8 {
            if byte == 0x09 || (byte == 0x20 && previousSpace) {
                clean = false
                break
            }
            previousSpace = byte == 0x20
        }
        if clean && !previousSpace { return value }
        return value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// RFC 3986 encoding: unreserved characters stay, everything else is `%XX` with upper-case hex.
    static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x2E, 0x5F, 0x7E: out.unicodeScalars.append(Unicode.Scalar(byte))
            case 0x2F where keepSlash: out += "/"
            default:
                let digits = Array("0123456789ABCDEF")
                out += "%"
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0xF)])
            }
        }
        return out
    }

    static func percentDecode(_ text: String, plusIsSpace: Bool) -> String {
        var bytes: [UInt8] = []
        let input = Array(text.utf8)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == 0x25, index + 2 < input.count, let value = UInt8(String(decoding: input[index + 1...index + 2], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(plusIsSpace && byte == 0x2B ? 0x20 : byte)
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        Self.appendHex(digest, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendHex(_ digest: some Sequence<UInt8>, to out: inout [UInt8]) {
        for byte in digest {
            out.append(byte >> 4 < 10 ? 0x30 + byte >> 4 : 0x57 + byte >> 4)
            out.append(byte & 0xF < 10 ? 0x30 + byte & 0xF : 0x57 + byte & 0xF)
        }
    }

    static func bytes(hex: String) -> [UInt8]? {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x61...0x66: byte - 0x61 + 10
            case 0x41...0x46: byte - 0x41 + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

}

/// Why a SigV4 signature was refused. The per-service targets turn these into AWS codes and texts.
public enum SignatureV4Failure: Error, Hashable, Sendable {
    /// The request carries no signature or credentials at all.
    case missingAuthentication
    /// The signature's parts are missing or malformed; the text says which.
    case incompleteSignature(String)
    /// The access key is not known, or not active.
    case unknownAccessKey
    /// The signature does not match the request.
    case signatureMismatch
    /// The request time is more than the allowed skew in the past.
    case expired(signed: Date, now: Date)
    /// The request time is more than the allowed skew in the future.
    case notYetCurrent(signed: Date, now: Date)
    /// A presigned URL used after its validity.
    case presignedURLExpired
}
