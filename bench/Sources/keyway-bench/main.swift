// keyway-bench: the measurements bench/keyformats and bench/run drive.
//   keyway-bench [SECONDS]                      KeyFormats and SigV4 measurements, one per line
//   keyway-bench sigv4 SECONDS                  the SigV4 measurements alone, step by step
//   keyway-bench rsa-rate SECONDS THREADS       raw RSA-2048 generation rate on THREADS threads
//   keyway-bench ceiling PORT BODY-FILE         the trivial Hummingbird handler, on 127.0.0.1:PORT
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "sigv4":
    try benchmarkSigV4(seconds: Double(arguments[1])!)
case "rsa-rate":
    benchmarkRSAGenerationRate(seconds: Double(arguments[1])!, threads: Int(arguments[2])!)
case "ceiling":
    let body = try Array(Data(contentsOf: URL(fileURLWithPath: arguments[2])))
    try await serveCeiling(port: Int(arguments[1])!, body: body)
default:
    try benchmarkKeyFormats(seconds: Double(arguments.first ?? "") ?? 3)
}
