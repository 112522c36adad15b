import Foundation
import KeyFormats
import Synchronization

/// The raw RSA-2048 generation rate of KeyFormats (swift-crypto's BoringSSL) with `threads` threads generating at
/// once for `seconds`: the ceiling CreateKeyPair RSA is measured against. Prints keys per second.
func benchmarkRSAGenerationRate(seconds: Double, threads: Int) {
    let total = Mutex(0)
    let deadline = Date().addingTimeInterval(seconds)
    let start = Date()
    DispatchQueue.concurrentPerform(iterations: threads) { _ in
        var count = 0
        while Date() < deadline {
            _ = try! PrivateKey(generating: .rsa, rsaKeySize: .bits2048)
            count += 1
        }
        total.withLock { $0 += count }
    }
    let elapsed = Date().timeIntervalSince(start)
    let count = total.withLock { $0 }
    print("rsa2048-generate-parallel\t\(String(format: "%.3f", Double(count) / elapsed))\tkeys/s\t\(count)")
}
