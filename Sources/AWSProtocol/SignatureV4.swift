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
    /// ``amzDate`` as a date.
    private let signedAt: Date

    /// The presigned-URL limit AWS applies (S3's cap of seven days).
    public static let maximumExpires = 604_800
    /// The clock skew EC2, IAM and STS accept either way.
    public static let allowedSkew: TimeInterval = 15 * 60

    /// Reads the signature of a request from its `Authorization` header or its presigned query parameters.
    ///
    /// Returns nil when the request carries no signature at all; throws ``SignatureV4Failure`` when it carries one
    /// that is incomplete or malformed.
    public init?(request: AWSRequest, parameters: QueryParameters) throws(SignatureV4Failure) {
        if let authorization = try Self.onlyAuthorizationHeader(of: request) {
            guard let amzDate = request.header("X-Amz-Date") else {
                // Checked after the header's own form, as before: a malformed header is reported first.
                _ = try Self.authorizationFields(authorization)
                throw .incompleteSignature(
                    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
                )
            }
            let securityToken = request.header("X-Amz-Security-Token")
            // Read as UTF-8 bytes in place: every part of a well-formed header is ASCII, and this runs for every request.
            let parsed = ASCII.withBytes(authorization) { bytes -> Result<SignedRequest, SignatureV4Failure> in
                Result { () throws(SignatureV4Failure) in
                    let fields = try Self.authorizationFields(in: bytes)
                    return try SignedRequest(
                        credential: bytes[fields.credential],
                        signedHeaders: bytes[fields.signedHeaders],
                        signature: bytes[fields.signature],
                        amzDate: amzDate,
                        securityToken: securityToken,
                        expires: nil
                    )
                }
            }
            self = try parsed.get()
        } else if let algorithm = parameters["X-Amz-Algorithm"] {
            guard algorithm == "AWS4-HMAC-SHA256" else {
                throw .incompleteSignature("X-Amz-Algorithm only supports 'AWS4-HMAC-SHA256'.")
            }
            guard let credential = parameters["X-Amz-Credential"],
                let signedHeaders = parameters["X-Amz-SignedHeaders"],
                let signature = parameters["X-Amz-Signature"], let amzDate = parameters["X-Amz-Date"],
                let expiresText = parameters["X-Amz-Expires"]
            else {
                throw .incompleteSignature(
                    "Presigned URLs require X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature."
                )
            }
            guard let expires = Int(expiresText), (1...Self.maximumExpires).contains(expires) else {
                throw .incompleteSignature(
                    "X-Amz-Expires must be a number of seconds from 1 to \(Self.maximumExpires)."
                )
            }
            let securityToken = parameters["X-Amz-Security-Token"]
            let parsed = ASCII.withBytes(credential) { credential in
                ASCII.withBytes(signedHeaders) { signedHeaders in
                    ASCII.withBytes(signature) { signature in
                        Result { () throws(SignatureV4Failure) in
                            try SignedRequest(
                                credential: credential[...],
                                signedHeaders: signedHeaders[...],
                                signature: signature[...],
                                amzDate: amzDate,
                                securityToken: securityToken,
                                expires: expires
                            )
                        }
                    }
                }
            }
            self = try parsed.get()
        } else {
            return nil
        }
    }

    private typealias Bytes = Slice<UnsafeBufferPointer<UInt8>>

    /// The `Authorization` header's value; a request with two is refused, as AWS refuses it, so no second header can
    /// stand beside the one verified.
    private static func onlyAuthorizationHeader(of request: AWSRequest) throws(SignatureV4Failure) -> String? {
        var found: String?
        for header in request.headers where ASCII.caseInsensitiveEquals(header.name, "Authorization") {
            guard found == nil else {
                throw .incompleteSignature("The request has more than one Authorization header.")
            }
            found = header.value
        }
        return found
    }

    /// Where `Credential`, `SignedHeaders` and `Signature` are in an `Authorization` header.
    private static func authorizationFields(
        _ authorization: String
    ) throws(SignatureV4Failure) -> (
        credential: Range<Int>, signedHeaders: Range<Int>, signature: Range<Int>
    ) {
        try ASCII.withBytes(authorization) { bytes in
            Result { () throws(SignatureV4Failure) in try Self.authorizationFields(in: bytes) }
        }.get()
    }

    /// Reads `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`: each of the three exactly once, nothing
    /// else. A lenient reader would let a second `Signature` or `SignedHeaders` decide what is verified.
    private static func authorizationFields(
        in bytes: UnsafeBufferPointer<UInt8>
    ) throws(SignatureV4Failure) -> (
        credential: Range<Int>, signedHeaders: Range<Int>, signature: Range<Int>
    ) {
        let algorithm = "AWS4-HMAC-SHA256".utf8
        guard bytes.starts(with: algorithm),
            bytes.count == algorithm.count || bytes[algorithm.count] == UInt8(ascii: " ")
        else {
            throw .incompleteSignature("Only AWS4-HMAC-SHA256 signatures are supported.")
        }
        // Parts are separated by commas and spaces, as AWS reads them: `Name=value`, the value up to the next separator.
        var credential: Range<Int>?
        var signedHeaders: Range<Int>?
        var signature: Range<Int>?
        var start = algorithm.count
        while start < bytes.count {
            guard bytes[start] != UInt8(ascii: ","), bytes[start] != UInt8(ascii: " ") else {
                start += 1
                continue
            }
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: ","), bytes[end] != UInt8(ascii: " ") { end += 1 }
            var equals = start
            while equals < end, bytes[equals] != UInt8(ascii: "=") { equals += 1 }
            guard equals < end else {
                throw .incompleteSignature(Self.missingEqualSign(bytes))
            }
            let name = bytes[start..<equals]
            let value = (equals + 1)..<end
            if name.elementsEqual("Credential".utf8) {
                guard credential == nil else { throw Self.duplicate("Credential") }
                credential = value
            } else if name.elementsEqual("SignedHeaders".utf8) {
                guard signedHeaders == nil else { throw Self.duplicate("SignedHeaders") }
                signedHeaders = value
            } else if name.elementsEqual("Signature".utf8) {
                guard signature == nil else { throw Self.duplicate("Signature") }
                signature = value
            } else {
                // Shown only when it is a plain word: header bytes may be anything, and the text goes into XML.
                let isWord = name.allSatisfy { ASCII.isLetter($0) || $0 &- 0x30 < 10 || $0 == UInt8(ascii: "-") }
                let shown = name.count <= 40 && isWord ? " '\(ASCII.string(name))'" : ""
                throw .incompleteSignature(
                    "Authorization header has an unknown parameter\(shown); it takes only Credential, SignedHeaders and Signature."
                )
            }
            start = end
        }
        guard let credential, let signedHeaders, let signature else {
            throw .incompleteSignature(
                "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters."
            )
        }
        return (credential, signedHeaders, signature)
    }

    private static func duplicate(_ name: String) -> SignatureV4Failure {
        .incompleteSignature("Authorization header has more than one '\(name)' parameter.")
    }

    /// AWS's text for a part without `=`, which names the header by its hash rather than quoting a signature.
    private static func missingEqualSign(_ header: UnsafeBufferPointer<UInt8>) -> String {
        let digest = Data(SHA256.hash(data: UnsafeRawBufferPointer(header))).base64EncodedString()
        return
            "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '\(digest)'."
    }

    private init(
        credential: Bytes,
        signedHeaders: Bytes,
        signature: Bytes,
        amzDate: String,
        securityToken: String?,
        expires: Int?
    ) throws(SignatureV4Failure) {
        guard let scope = CredentialScope(bytes: credential) else {
            throw .incompleteSignature("The Credential is not of the form AKID/yyyymmdd/region/service/aws4_request.")
        }
        guard
            let signedAt = ASCII.withBytes(
                amzDate,
                { date in
                    date.count == 16 && date.starts(with: scope.date.utf8) ? AmzDate.parse(bytes: date[...]) : nil
                }
            )
        else {
            throw .incompleteSignature("The credential date does not match X-Amz-Date, or X-Amz-Date is malformed.")
        }
        var headers: [String] = []
        var hasHost = false
        var start = signedHeaders.startIndex
        while start < signedHeaders.endIndex {
            var end = start
            while end < signedHeaders.endIndex, signedHeaders[end] != UInt8(ascii: ";") { end += 1 }
            // `host;;x-amz-date` or a trailing `;`: no signer writes an empty name.
            guard end > start, end < signedHeaders.endIndex - 1 || end == signedHeaders.endIndex else {
                throw .incompleteSignature("The SignedHeaders parameter has an empty header name.")
            }
            let name = signedHeaders[start..<end]
            let header =
                name.contains(where: { $0 &- 0x41 < 26 })
                ? String(decoding: name.map(ASCII.lowercased), as: UTF8.self) : ASCII.string(name)
            hasHost = hasHost || header == "host"
            headers.append(header)
            start = end + 1
        }
        guard hasHost else {
            throw .incompleteSignature("The signed headers must include 'host'.")
        }
        guard signature.count == 64, signature.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else {
            throw .signatureMismatch
        }
        self.scope = scope
        self.signedHeaders = headers
        self.signature = ASCII.string(signature)
        self.amzDate = amzDate
        self.signedAt = signedAt
        self.securityToken = securityToken
        self.expires = expires
    }

    /// Checks the request time against `now`: within the skew for header signatures, within the validity for
    /// presigned URLs.
    public func checkTime(now: Date) throws(SignatureV4Failure) {
        let signed = self.signedAt
        if let expires {
            guard now.timeIntervalSince(signed) <= TimeInterval(expires) else { throw .presignedURLExpired }
            guard signed.timeIntervalSince(now) <= Self.allowedSkew else {
                throw .notYetCurrent(signed: signed, now: now)
            }
        } else {
            guard now.timeIntervalSince(signed) <= Self.allowedSkew else { throw .expired(signed: signed, now: now) }
            guard signed.timeIntervalSince(now) <= Self.allowedSkew else {
                throw .notYetCurrent(signed: signed, now: now)
            }
        }
    }

    /// The canonical request (step 1 of the signing process).
    public func canonicalRequest(for request: AWSRequest) -> String {
        String(decoding: self.canonicalRequestBytes(for: request), as: UTF8.self)
    }

    /// The canonical request as UTF-8, built in one buffer: this runs for every signed request, so the common shapes
    /// (an upper-case method, a path of plain characters, signed headers already sorted) are copied as they are.
    private func canonicalRequestBytes(for request: AWSRequest) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(384 + request.query.utf8.count)
        if request.method.utf8.allSatisfy({ $0 &- 0x41 < 26 }) {
            out.append(contentsOf: request.method.utf8)
        } else {
            out.append(contentsOf: request.method.uppercased().utf8)
        }
        out.append(0x0A)
        if !request.path.isEmpty, request.path.utf8.allSatisfy({ Self.isUnreserved($0) || $0 == UInt8(ascii: "/") }) {
            out.append(contentsOf: request.path.utf8)
        } else {
            out.append(contentsOf: Self.canonicalURI(request.path).utf8)
        }
        out.append(0x0A)
        if !request.query.isEmpty {
            out.append(contentsOf: Self.canonicalQuery(request.query, presigned: self.expires != nil).utf8)
        }
        out.append(0x0A)
        let signedHeaders =
            zip(self.signedHeaders, self.signedHeaders.dropFirst()).allSatisfy({ $0 < $1 })
            ? self.signedHeaders : self.signedHeaders.sorted()
        for name in signedHeaders {
            out.append(contentsOf: name.utf8)
            out.append(0x3A)
            var first = true
            for header in request.headers where ASCII.caseInsensitiveEquals(header.name, name) {
                if !first { out.append(0x2C) }
                first = false
                Self.appendNormalizedHeaderValue(header.value, to: &out)
            }
            out.append(0x0A)
        }
        out.append(0x0A)
        for (index, name) in signedHeaders.enumerated() {
            if index > 0 { out.append(0x3B) }
            out.append(contentsOf: name.utf8)
        }
        out.append(0x0A)
        var body = SHA256()
        request.body.withUnsafeBytes { body.update(bufferPointer: $0) }
        body.finalize().withUnsafeBytes { ASCII.appendHex($0, to: &out) }
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
        out.append(contentsOf: self.scope.date.utf8)
        out.append(0x2F)
        out.append(contentsOf: self.scope.region.utf8)
        out.append(0x2F)
        out.append(contentsOf: self.scope.service.utf8)
        out.append(contentsOf: "/aws4_request\n".utf8)
        var canonical = SHA256()
        self.canonicalRequestBytes(for: request).withUnsafeBytes { canonical.update(bufferPointer: $0) }
        canonical.finalize().withUnsafeBytes { ASCII.appendHex($0, to: &out) }
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
        var mac = keyed
        mac.update(data: self.stringToSignBytes(for: request))
        // Compared as hex, every byte, so the time taken does not tell how much of a guess was right.
        var expected: [UInt8] = []
        expected.reserveCapacity(64)
        mac.finalize().withUnsafeBytes { ASCII.appendHex($0, to: &expected) }
        let matches = ASCII.withBytes(self.signature) { given in
            guard given.count == expected.count else { return false }
            var difference: UInt8 = 0
            for index in 0..<given.count { difference |= given[index] ^ expected[index] }
            return difference == 0
        }
        guard matches else { throw .signatureMismatch }
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
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(
            separator: "&"
        )
    }

    /// Appends a header value with leading and trailing spaces and tabs removed and each run inside made one space.
    static func appendNormalizedHeaderValue(_ value: String, to out: inout [UInt8]) {
        ASCII.withBytes(value) { bytes in
            Self.appendNormalizedHeaderValue(bytes, to: &out)
        }
    }

    private static func appendNormalizedHeaderValue(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var wrote = false
        var pendingSpace = false
        for byte in bytes {
            if byte == 0x20 || byte == 0x09 {
                pendingSpace = wrote
            } else {
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                out.append(byte)
                wrote = true
            }
        }
    }

    @inline(__always)
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x2E, 0x5F, 0x7E: true
        default: false
        }
    }

    /// RFC 3986 encoding: unreserved characters stay, everything else is `%XX` with upper-case hex.
    static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case _ where Self.isUnreserved(byte): out.unicodeScalars.append(Unicode.Scalar(byte))
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
            if byte == 0x25, index + 2 < input.count,
                let value = UInt8(String(decoding: input[index + 1...index + 2], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(plusIsSpace && byte == 0x2B ? 0x20 : byte)
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func hex(_ digest: some ContiguousBytes) -> String {
        var out: [UInt8] = []
        digest.withUnsafeBytes { ASCII.appendHex($0, to: &out) }
        return String(decoding: out, as: UTF8.self)
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
    /// The credentials could not be looked up (a fault of the store, not of the request); the text is the cause,
    /// for the server's log only.
    case internalFailure(String)
}
