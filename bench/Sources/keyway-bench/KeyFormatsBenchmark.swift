// Measures KeyFormats: RSA and Ed25519 generation, and parse-plus-AWS-fingerprint of OpenSSH public lines.
// Run through bench/keyformats, which also times `openssl genpkey` in the same run and prints the table.
import Foundation
import KeyFormats

/// Runs `body` until at least `minimum` seconds and `minimumCount` iterations have passed; returns iterations/s.
func rate(minimum: Double, minimumCount: Int = 1, _ body: () throws -> Void) rethrows -> (count: Int, perSecond: Double)
{
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

    let rsa2048 = try rate(minimum: seconds, minimumCount: 20) {
        _ = try PrivateKey(generating: .rsa, rsaKeySize: .bits2048)
    }
    emit("rsa2048-generate", 1000 / rsa2048.perSecond, "ms/key", rsa2048.count)
    let rsa4096 = try rate(minimum: seconds, minimumCount: 5) {
        _ = try PrivateKey(generating: .rsa, rsaKeySize: .bits4096)
    }
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

    try benchmarkSigV4(seconds: seconds)
}
