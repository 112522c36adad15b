import AWSProtocol
import Foundation

/// SigV4 as the server reads it. The input's first line is the Authorization header (none when the line is empty),
/// the second the query string (presigned URLs), the rest the body; each signature that parses is then verified.
@_cdecl("LLVMFuzzerTestOneInput")
public func sigV4AuthorizationFuzzer(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : count))
    var parts = bytes.split(separator: 0x0A, maxSplits: 2, omittingEmptySubsequences: false).map(Array.init)
    while parts.count < 3 { parts.append([]) }
    let authorization = String(decoding: parts[0], as: UTF8.self)
    var headers: [(name: String, value: String)] = [
        ("host", "ec2.us-east-1.amazonaws.com"), ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
        ("X-Amz-Date", "20150830T123600Z"),
    ]
    if !authorization.isEmpty { headers.append(("Authorization", authorization)) }
    let request = AWSRequest(
        method: "POST",
        path: "/",
        query: String(decoding: parts[1], as: UTF8.self),
        headers: headers,
        body: parts[2]
    )
    guard let parameters = try? QueryParameters(request: request) else { return 0 }
    _ = CredentialScope(request: request, parameters: parameters)
    guard
        case .success(let signed?) = Result(catching: { () throws(SignatureV4Failure) in
            try SignedRequest(request: request, parameters: parameters)
        })
    else { return 0 }
    precondition(signed.signature.utf8.count == 64, "a parsed signature is 64 hex digits")
    precondition(signed.signedHeaders.contains("host"), "host is always signed")
    _ = try? signed.checkTime(now: Date(timeIntervalSince1970: 1_440_938_160))
    let key = SignedRequest.signingKey(
        secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        date: signed.scope.date,
        region: signed.scope.region,
        service: signed.scope.service
    )
    _ = signed.canonicalRequest(for: request)
    _ = try? signed.verify(request, signingKey: key)
    return 0
}
