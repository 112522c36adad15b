import AWSProtocol
import Testing

@Suite struct XMLTests {
    @Test func escapesText() {
        var writer = XMLWriter()
        writer.element("v", "a<b>&\"c'\r")
        #expect(writer.text.hasSuffix("<v>a&lt;b&gt;&amp;\"c'&#13;</v>"))
    }

    /// The EC2 envelope exactly as AWS sends it (spec §8.1, captured in autovpn#21): no namespace, `RequestID`.
    @Test func ec2ErrorEnvelope() {
        let response = XMLResponse.ec2Error(
            AWSError(code: "InvalidKeyPair.NotFound", message: "The key pair 'x' does not exist"),
            requestID: "r-1"
        )
        #expect(response.status.code == 400)
        #expect(
            response.body == """
                <?xml version="1.0" encoding="UTF-8"?>
                <Response><Errors><Error><Code>InvalidKeyPair.NotFound</Code><Message>The key pair 'x' does not exist</Message></Error></Errors><RequestID>r-1</RequestID></Response>
                """
        )
    }

    /// The Query envelope of IAM and STS (spec §8.1): namespace, `Type`, `RequestId`.
    @Test func queryErrorEnvelope() {
        let response = XMLResponse.queryError(
            AWSError(code: "NoSuchEntity", message: "gone", status: .notFound),
            requestID: "r-2",
            namespace: "https://iam.amazonaws.com/doc/2010-05-08/"
        )
        #expect(response.status.code == 404)
        #expect(
            response.body == """
                <?xml version="1.0" encoding="UTF-8"?>
                <ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>gone</Message></Error><RequestId>r-2</RequestId></ErrorResponse>
                """
        )
        #expect(AWSError(code: "X", message: "", status: .internalServerError).faultType == "Receiver")
    }

    @Test func credentialScope() {
        let request = AWSRequest(
            method: "POST",
            path: "/",
            query: "",
            headers: [
                (
                    "authorization",
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/eu-west-1/ec2/aws4_request, SignedHeaders=host, Signature=00"
                )
            ],
            body: []
        )
        let scope = CredentialScope(request: request, parameters: QueryParameters([:]))
        #expect(scope?.accessKeyID == "AKIDEXAMPLE")
        #expect(scope?.region == "eu-west-1")
        #expect(scope?.service == "ec2")
        #expect(scope?.date == "20261123")
        let presigned = CredentialScope(
            request: AWSRequest(method: "GET", path: "/", query: "", headers: [], body: []),
            parameters: QueryParameters(["X-Amz-Credential": "AKID/20261123/us-east-1/sts/aws4_request"])
        )
        #expect(presigned?.service == "sts")
        #expect(CredentialScope(credential: "AKID/2026/us-east-1/ec2/aws4_request") == nil)
    }
}
