// Measures KeyFormats: RSA and Ed25519 generation, and parse-plus-AWS-fingerprint of OpenSSH public lines.
// Run through bench/keyformats, which also times `openssl genpkey` in the same run and prints the table.
import Foundation
import AWSProtocol
import Crypto
import KeyFormats

/// Runs `body` until at least `minimum` seconds and `minimumCount` iterations have passed; returns iterations/s.
func rate(minimum: Double, minimumCount: Int = 1, _ body: () throws -> Void) rethrows -> (count: Int, perSecond: Double) {
    let clock = ContinuousClock()
    let start = clock.now
    var count = 0
    while true {
        try body()
        count += 1
        let elapsed = start.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if seconds >= minimum && count >= minimumCount {
            return (count, Double(count) / seconds)
        }
    }
}

func emit(_ name: String, _ value: Double, _ unit: String, _ count: Int) {
    print("\(name)\t\(String(format: "%.3f", value))\t\(unit)\t\(count)")
}

/// Prints one tab-separated line per measurement, each running for at least `seconds`.
func benchmarkKeyFormats(seconds: Double) throws {

    let rsa2048 = try rate(minimum: seconds, minimumCount: 20) { _ = try PrivateKey(generating: .rsa, rsaKeySize: .bits2048) }
    emit("rsa2048-generate", 1000 / rsa2048.perSecond, "ms/key", rsa2048.count)
    let rsa4096 = try rate(minimum: seconds, minimumCount: 5) { _ = try PrivateKey(generating: .rsa, rsaKeySize: .bits4096) }
    emit("rsa4096-generate", 1000 / rsa4096.perSecond, "ms/key", rsa4096.count)
    let ed25519 = try rate(minimum: seconds) { _ = try PrivateKey(generating: .ed25519) }
    emit("ed25519-generate", ed25519.perSecond, "keys/s", ed25519.count)

    let edLine = try PrivateKey(generating: .ed25519).publicKey.openSSHRepresentation(comment: "bench@keyway")
    let rsaLine = try PrivateKey(generating: .rsa).publicKey.openSSHRepresentation(comment: "bench@keyway")
    var sink = 0
    let edParse = try rate(minimum: seconds) {
        sink &+= try PublicKey(openSSHPublicKey: edLine).awsImportedFingerprint.utf8.count
    }
    emit("ed25519-parse-fingerprint", edParse.perSecond, "lines/s", edParse.count)
    let rsaParse = try rate(minimum: seconds) {
        sink &+= try PublicKey(openSSHPublicKey: rsaLine).awsImportedFingerprint.utf8.count
    }
    emit("rsa2048-parse-fingerprint", rsaParse.perSecond, "lines/s", rsaParse.count)
    if sink == 42 { print("") }

    // SigV4 verification of one botocore-style EC2 request (spec §7.7 vector A), with the signing key cached (as the
    // server does for a warm key) and with the key derived each time.
    let signedRequest = AWSRequest(
        method: "POST", path: "/", query: "",
        headers: [
            ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), ("X-Amz-Date", "20150830T123600Z"),
            ("host", "localhost:8080"),
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=3c33daaa9585c17c9508e20350b431e9b627aedf0519ae8a3297ac682f5b45a8"
            ),
        ],
        body: Array("Action=DescribeKeyPairs&Version=2016-11-15&KeyName.1=my-key".utf8)
    )
    let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    // The server caches an HMAC keyed with each signing key (see Authenticator); so does this measurement.
    let cachedKey = HMAC<SHA256>(key: SignedRequest.signingKey(secret: secret, date: "20150830", region: "us-east-1", service: "ec2"))
    let warm = try rate(minimum: seconds) {
        let parameters = try QueryParameters(request: signedRequest)
        try SignedRequest(request: signedRequest, parameters: parameters)!.verify(signedRequest, keyedWith: cachedKey)
    }
    emit("sigv4-verify-cached-key", 1e6 / warm.perSecond, "µs/request", warm.count)
    let cold = try rate(minimum: seconds) {
        let parameters = try QueryParameters(request: signedRequest)
        let key = SignedRequest.signingKey(secret: secret, date: "20150830", region: "us-east-1", service: "ec2")
        try SignedRequest(request: signedRequest, parameters: parameters)!.verify(signedRequest, signingKey: key)
    }
    emit("sigv4-verify-derived-key", 1e6 / cold.perSecond, "µs/request", cold.count)
}
