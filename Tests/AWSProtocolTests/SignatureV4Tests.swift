import AWSProtocol
import Crypto
import Foundation
import Testing

/// The SigV4 vectors of the AWS API spec §7.7, computed with botocore's signer and re-derived by hand, pinned to
/// 2015-08-30T12:36:00Z.
@Suite struct SignatureV4Tests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let now = Date(timeIntervalSince1970: 1_440_938_160)  // 20150830T123600Z

    static func vectorA(
        authorization: String? = nil,
        body: String = "Action=DescribeKeyPairs&Version=2016-11-15&KeyName.1=my-key"
    ) -> AWSRequest {
        AWSRequest(
            method: "POST",
            path: "/",
            query: "",
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
                ("X-Amz-Date", "20150830T123600Z"),
                ("host", "localhost:8080"),
                (
                    "Authorization",
                    authorization
                        ?? "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=3c33daaa9585c17c9508e20350b431e9b627aedf0519ae8a3297ac682f5b45a8"
                ),
            ],
            body: Array(body.utf8)
        )
    }

    static func signed(_ request: AWSRequest) throws -> SignedRequest {
        try #require(try SignedRequest(request: request, parameters: QueryParameters(request: request)))
    }

    @Test func headerSignedEC2Post() throws {
        let request = Self.vectorA()
        let signed = try Self.signed(request)
        #expect(
            signed.canonicalRequest(for: request) == """
                POST
                /

                content-type:application/x-www-form-urlencoded; charset=utf-8
                host:localhost:8080
                x-amz-date:20150830T123600Z

                content-type;host;x-amz-date
                b05319a4f74fa47d829e305ef361237322ec407d5849dd309057dda6e25a793c
                """
        )
        #expect(
            signed.stringToSign(for: request) == """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/ec2/aws4_request
                407f8bb8d6b21fe55a3ff56bd80dda7f66c646cab616e11278b5251de94eed97
                """
        )
        let key = SignedRequest.signingKey(secret: Self.secret, date: "20150830", region: "us-east-1", service: "ec2")
        #expect(
            key.withUnsafeBytes { Data($0) }.map { String(format: "%02x", $0) }.joined()
                == "f683de3415e2edd5bd3ecba80fa9f855f4018470ccc66c03bb658895fef3aed2"
        )
        #expect(
            signed.expectedSignature(for: request, signingKey: key)
                == "3c33daaa9585c17c9508e20350b431e9b627aedf0519ae8a3297ac682f5b45a8"
        )
        try signed.verify(request, signingKey: key)
        try signed.checkTime(now: Self.now)
    }

    @Test func temporaryCredentials() throws {
        var request = Self.vectorA(
            authorization:
                "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20150830/us-east-1/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=f207d17ed8693c3923deefff6778905952492047e0486941dd7e8278976aba8b"
        )
        request.headers.append(("X-Amz-Security-Token", "SESSIONTOKEN"))
        let signed = try Self.signed(request)
        #expect(signed.securityToken == "SESSIONTOKEN")
        try signed.verify(
            request,
            signingKey: SignedRequest.signingKey(
                secret: Self.secret,
                date: "20150830",
                region: "us-east-1",
                service: "ec2"
            )
        )
    }

    @Test func presignedSTSGetCallerIdentity() throws {
        let request = AWSRequest(
            method: "GET",
            path: "/",
            query:
                "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=edc8907c6c6ab903df773b39e30bcee2e7cbef539f89e69dfe8e7f6a80781bb6",
            headers: [("Host", "sts.us-east-1.amazonaws.com")],
            body: []
        )
        let signed = try Self.signed(request)
        #expect(signed.expires == 60)
        #expect(
            signed.canonicalRequest(for: request) == """
                GET
                /
                Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host
                host:sts.us-east-1.amazonaws.com

                host
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """
        )
        try signed.verify(
            request,
            signingKey: SignedRequest.signingKey(
                secret: Self.secret,
                date: "20150830",
                region: "us-east-1",
                service: "sts"
            )
        )
        try signed.checkTime(now: Self.now.addingTimeInterval(59))
        #expect(throws: SignatureV4Failure.presignedURLExpired) {
            try signed.checkTime(now: Self.now.addingTimeInterval(61))
        }
    }

    /// botocore 1.x's signer (`SigV4Auth.add_auth`, clock pinned to the vector's time) on a GET with an unsorted
    /// query, a repeated parameter, escapes, header values with runs of spaces and tabs, and a header sent twice.
    static func botocoreEdgeCases(signedHeaders: String = "host;my-header1;my-header2;x-amz-date;x-dup") -> AWSRequest {
        AWSRequest(
            method: "GET",
            path: "/",
            query: "b=2&a=1&a=0&c=%2A%20x&Z=%2F",
            headers: [
                ("Host", "localhost:8080"), ("My-Header1", "  value1  "), ("My-Header2", "\"a   b\t c\""),
                ("X-Dup", "z"),
                ("X-Dup", "a"), ("X-Amz-Date", "20150830T123600Z"),
                (
                    "Authorization",
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request, SignedHeaders=\(signedHeaders), Signature=a9807ceaa36840f5456a775c765ac19115ab3a67894483c7d5d172c8469cb28b"
                ),
            ],
            body: []
        )
    }

    @Test func botocoreCanonicalFormsOfQueryAndHeaders() throws {
        // Signed as sent, repeated parameter and all (QueryParameters refuses it later, for the API's sake).
        func signature(_ request: AWSRequest) throws -> SignedRequest {
            try #require(try SignedRequest(request: request, parameters: QueryParameters([:])))
        }
        let request = Self.botocoreEdgeCases()
        let signed = try signature(request)
        #expect(
            signed.canonicalRequest(for: request) == """
                GET
                /
                Z=%2F&a=0&a=1&b=2&c=%2A%20x
                host:localhost:8080
                my-header1:value1
                my-header2:"a b c"
                x-amz-date:20150830T123600Z
                x-dup:z,a

                host;my-header1;my-header2;x-amz-date;x-dup
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """
        )
        let key = SignedRequest.signingKey(secret: Self.secret, date: "20150830", region: "us-east-1", service: "ec2")
        try signed.verify(request, signingKey: key)
        // The signed-header list is put in order before use, and names are compared without case.
        let reordered = Self.botocoreEdgeCases(signedHeaders: "X-Dup;host;my-header2;My-Header1;x-amz-date")
        try signature(reordered).verify(reordered, signingKey: key)
        // Changing a signed header's value beyond its spaces is refused; trimming its spaces is not a change.
        var changed = request
        changed.headers[2].value = "  \"a b  c\"\t "
        try signature(changed).verify(changed, signingKey: key)
        changed.headers[2].value = "\"ab c\""
        #expect(throws: SignatureV4Failure.signatureMismatch) {
            try signature(changed).verify(changed, signingKey: key)
        }
    }

    /// A flipped byte anywhere that is signed is refused.
    @Test(arguments: ["body", "date-header", "content-type", "host", "signature", "region", "service"])
    func tamperingIsRefused(_ what: String) throws {
        var request = Self.vectorA()
        var secretScope = ("us-east-1", "ec2")
        switch what {
        case "body": request.body[0] ^= 1
        case "date-header": request.headers[1].value = "20150830T123601Z"
        case "content-type": request.headers[0].value = "application/x-www-form-urlencoded; charset=utf-9"
        case "host": request.headers[2].value = "localhost:8081"
        case "signature":
            request.headers[3].value = request.headers[3].value.replacingOccurrences(of: "3c33daaa", with: "3c33daab")
        case "region": secretScope.0 = "eu-west-1"
        default: secretScope.1 = "iam"
        }
        let signed = try Self.signed(request)
        let key = SignedRequest.signingKey(
            secret: Self.secret,
            date: "20150830",
            region: secretScope.0,
            service: secretScope.1
        )
        #expect(throws: SignatureV4Failure.signatureMismatch) { try signed.verify(request, signingKey: key) }
    }

    @Test func clockSkewIsFifteenMinutesEachWay() throws {
        let signed = try Self.signed(Self.vectorA())
        try signed.checkTime(now: Self.now.addingTimeInterval(15 * 60))
        try signed.checkTime(now: Self.now.addingTimeInterval(-15 * 60))
        #expect(throws: SignatureV4Failure.self) { try signed.checkTime(now: Self.now.addingTimeInterval(15 * 60 + 1)) }
        #expect(throws: SignatureV4Failure.self) {
            try signed.checkTime(now: Self.now.addingTimeInterval(-15 * 60 - 1))
        }
    }

    @Test(arguments: [
        "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKID/2015/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=3c33daaa9585c17c9508e20350b431e9b627aedf0519ae8a3297ac682f5b45a8",
        "AWS4-HMAC-SHA256 Credential=AKID/20150831/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=3c33daaa9585c17c9508e20350b431e9b627aedf0519ae8a3297ac682f5b45a8",
        "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/ec2/aws4_request, SignedHeaders=content-type, Signature=3c33daaa9585c17c9508e20350b431e9b627aedf0519ae8a3297ac682f5b45a8",
        "AWS3 Credential=x",
    ])
    func incompleteSignatures(_ authorization: String) {
        let request = Self.vectorA(authorization: authorization)
        #expect(throws: SignatureV4Failure.self) {
            try SignedRequest(request: request, parameters: QueryParameters(request: request))
        }
    }

    static let goodAuthorization =
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=3c33daaa9585c17c9508e20350b431e9b627aedf0519ae8a3297ac682f5b45a8"

    static func refusal(_ request: AWSRequest) -> String? {
        do {
            _ = try SignedRequest(request: request, parameters: QueryParameters(request: request))
            return nil
        } catch let failure as SignatureV4Failure {
            guard case .incompleteSignature(let reason) = failure else { return "\(failure)" }
            return reason
        } catch {
            return "\(error)"
        }
    }

    /// A second `Credential`, `SignedHeaders` or `Signature` used to replace the first, so what was verified was not
    /// necessarily what a proxy or log read; each may now appear once.
    @Test(arguments: [
        ("Credential", ", Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request"),
        ("SignedHeaders", ", SignedHeaders=host"),
        ("Signature", ", Signature=0000000000000000000000000000000000000000000000000000000000000000"),
    ])
    func duplicateFieldsAreIncomplete(_ name: String, _ extra: String) {
        let reason = Self.refusal(Self.vectorA(authorization: Self.goodAuthorization + extra))
        #expect(reason == "Authorization header has more than one '\(name)' parameter.")
    }

    @Test func unknownFieldsAreIncomplete() {
        let reason = Self.refusal(Self.vectorA(authorization: Self.goodAuthorization + ", Region=us-east-1"))
        #expect(
            reason
                == "Authorization header has an unknown parameter 'Region'; it takes only Credential, SignedHeaders and Signature."
        )
        let odd = Self.refusal(Self.vectorA(authorization: Self.goodAuthorization + ", <x>=1"))
        #expect(
            odd
                == "Authorization header has an unknown parameter; it takes only Credential, SignedHeaders and Signature."
        )
    }

    /// AWS's text for a part without `=` names the header by its SHA-256 rather than echoing it.
    @Test func partWithoutEqualSignIsIncomplete() throws {
        let header = Self.goodAuthorization + ", junk"
        let digest = Data(SHA256.hash(data: Array(header.utf8))).base64EncodedString()
        #expect(
            Self.refusal(Self.vectorA(authorization: header))
                == "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '\(digest)'."
        )
        let spaced = Self.goodAuthorization.replacingOccurrences(of: "Signature=3c33", with: "Signature=3c33 trailing")
        #expect(Self.refusal(Self.vectorA(authorization: spaced))?.hasPrefix("Invalid key=value pair") == true)
    }

    @Test(arguments: ["host;;x-amz-date", "content-type;host;x-amz-date;", ";content-type;host;x-amz-date", ";"])
    func emptySignedHeaderNamesAreIncomplete(_ signedHeaders: String) {
        let authorization = Self.goodAuthorization.replacingOccurrences(
            of: "content-type;host;x-amz-date",
            with: signedHeaders
        )
        #expect(
            Self.refusal(Self.vectorA(authorization: authorization))
                == "The SignedHeaders parameter has an empty header name."
        )
    }

    @Test func secondAuthorizationHeaderIsIncomplete() {
        var request = Self.vectorA()
        request.headers.append(("authorization", Self.goodAuthorization))
        #expect(Self.refusal(request) == "The request has more than one Authorization header.")
    }

    /// The algorithm is a word of its own; separators between the parts may be commas, spaces or both.
    @Test func algorithmAndSeparators() throws {
        let glued = Self.goodAuthorization.replacingOccurrences(of: "SHA256 Credential", with: "SHA256Credential")
        #expect(Self.refusal(Self.vectorA(authorization: glued)) == "Only AWS4-HMAC-SHA256 signatures are supported.")
        for authorization in [
            Self.goodAuthorization.replacingOccurrences(of: ", ", with: ","),
            Self.goodAuthorization.replacingOccurrences(of: ", ", with: " ,  ") + ",",
        ] {
            let request = Self.vectorA(authorization: authorization)
            let key = SignedRequest.signingKey(
                secret: Self.secret,
                date: "20150830",
                region: "us-east-1",
                service: "ec2"
            )
            try Self.signed(request).verify(request, signingKey: key)
        }
        #expect(
            Self.refusal(Self.vectorA(authorization: "AWS4-HMAC-SHA256"))
                == "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters."
        )
    }

    @Test func unsignedRequestHasNoSignature() throws {
        let request = AWSRequest(method: "POST", path: "/", query: "", headers: [], body: Array("Action=X".utf8))
        #expect(try SignedRequest(request: request, parameters: QueryParameters(request: request)) == nil)
    }
}
