// Measures what the server does per signed request before any EC2 work: reading the form parameters, reading the
// signature, and verifying it. `keyway-bench sigv4 SECONDS` runs only these, for profiling.
import AWSProtocol
import Crypto

/// Prints one line per SigV4 step on one botocore-style EC2 request (spec §7.7 vector A).
func benchmarkSigV4(seconds: Double) throws {
    let request = AWSRequest(
        method: "POST",
        path: "/",
        query: "",
        headers: [
            ("host", "localhost:8080"), ("Accept-Encoding", "identity"),
            ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
            ("User-Agent", "aws-cli/2.17.0 md/awscrt#0.20.11 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.8"),
            ("X-Amz-Date", "20150830T123600Z"),
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=3c33daaa9585c17c9508e20350b431e9b627aedf0519ae8a3297ac682f5b45a8"
            ),
            ("Content-Length", "58"),
        ],
        body: Array("Action=DescribeKeyPairs&Version=2016-11-15&KeyName.1=my-key".utf8)
    )
    let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    let parameters = try QueryParameters(request: request)
    let signed = try SignedRequest(request: request, parameters: parameters)!
    // The server caches an HMAC keyed with each signing key (see Authenticator); so does this measurement.
    let cachedKey = HMAC<SHA256>(
        key: SignedRequest.signingKey(secret: secret, date: "20150830", region: "us-east-1", service: "ec2")
    )
    try signed.verify(request, keyedWith: cachedKey)  // a wrong vector fails here, not in the figures

    var sink = 0
    let parse = try rate(minimum: seconds) { sink &+= try QueryParameters(request: request)["Action"]!.utf8.count }
    emit("query-parameters-parse", 1e6 / parse.perSecond, "µs/request", parse.count)
    let read = try rate(minimum: seconds) {
        sink &+= try SignedRequest(request: request, parameters: parameters)!.signature.utf8.count
    }
    emit("sigv4-read-signature", 1e6 / read.perSecond, "µs/request", read.count)
    let check = try rate(minimum: seconds) { try signed.verify(request, keyedWith: cachedKey) }
    emit("sigv4-check-cached-key", 1e6 / check.perSecond, "µs/request", check.count)
    let warm = try rate(minimum: seconds) {
        let parameters = try QueryParameters(request: request)
        try SignedRequest(request: request, parameters: parameters)!.verify(request, keyedWith: cachedKey)
    }
    emit("sigv4-verify-cached-key", 1e6 / warm.perSecond, "µs/request", warm.count)
    let cold = try rate(minimum: seconds) {
        let parameters = try QueryParameters(request: request)
        let key = SignedRequest.signingKey(secret: secret, date: "20150830", region: "us-east-1", service: "ec2")
        try SignedRequest(request: request, parameters: parameters)!.verify(request, signingKey: key)
    }
    emit("sigv4-verify-derived-key", 1e6 / cold.perSecond, "µs/request", cold.count)
    if sink == 42 { print("") }
}
