// swift-tools-version:6.2
// Hummingbird 2.28.1 needs tools version 6.2.
import PackageDescription

let package = Package(
    name: "keyway",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "keyway", targets: ["keyway"]),
        .library(name: "KeyFormats", targets: ["KeyFormats"]),
    ],
    dependencies: [
        // 4.5.2, not 3.x: PKCS#8 export, Ed25519 PEM and RSA PKCS#1 v1.5 encryption exist only here.
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-asn1.git", exact: "1.7.4"),
        // X.509 parsing and chain signature checks for IAM server certificates.
        .package(url: "https://github.com/apple/swift-certificates.git", exact: "1.21.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        // Modular arithmetic for the RSA CRT values that OpenSSH and PuTTY files omit (d mod p-1, d mod q-1).
        .package(url: "https://github.com/attaswift/BigInt.git", exact: "6.0.1"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        // Resolved through Hummingbird already; named for the metadata listeners, which bind one address each.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        // Resolved through Hummingbird already; named for NIOHTTPTypes, the request parts `RequestLimitHandler` reads.
        .package(url: "https://github.com/apple/swift-nio-extras.git", exact: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        // The embedded store: WAL through DatabasePool, serialized writes, named append-only migrations.
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
    ],
    targets: [
        .target(
            name: "KeyFormats",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "BigInt", package: "BigInt"),
            ]
        ),
        .target(
            name: "AWSProtocol",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .target(
            name: "KeywayCore",
            dependencies: ["KeyFormats"]
        ),
        .target(
            name: "KeywayStorage",
            dependencies: [
                "KeywayCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "EC2API",
            dependencies: ["AWSProtocol", "KeywayCore"]
        ),
        .target(
            name: "IAMAPI",
            dependencies: ["AWSProtocol", "KeywayCore", "KeyFormats"]
        ),
        .target(
            name: "KeywayServer",
            dependencies: [
                "AWSProtocol", "KeyFormats", "KeywayCore", "KeywayStorage", "EC2API", "IAMAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "KeyTools",
            dependencies: ["KeyFormats"]
        ),
        .executableTarget(
            name: "keyway",
            dependencies: [
                "KeyTools", "KeywayServer", "KeywayStorage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "keyway-bench",
            dependencies: [
                "KeyFormats", "AWSProtocol", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "bench/Sources/keyway-bench"
        ),
        .testTarget(
            name: "KeyFormatsTests",
            dependencies: ["KeyFormats"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "KeyToolsTests",
            dependencies: ["KeyTools"]
        ),
        .testTarget(
            name: "AWSProtocolTests",
            dependencies: ["AWSProtocol"]
        ),
        .testTarget(
            name: "KeywayCoreTests",
            dependencies: ["KeywayCore"]
        ),
        .testTarget(
            name: "IAMAPITests",
            dependencies: ["IAMAPI", "AWSProtocol", "KeywayCore"]
        ),
        .testTarget(
            name: "KeywayStorageTests",
            dependencies: ["KeywayStorage", "KeyFormats", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "KeywayServerTests",
            dependencies: [
                "KeywayServer",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            exclude: ["Golden"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Fuzz targets (Fuzz/<Name>/), for scripts/fuzz only: it sets KEYWAY_FUZZ and builds with `--sanitize fuzzer`, whose
// libFuzzer supplies `main` and calls each target's `LLVMFuzzerTestOneInput`. Without libFuzzer they cannot link, so
// a plain build never sees them; with it, the package shrinks to the targets they need, so one build makes them all.
if Context.environment["KEYWAY_FUZZ"] != nil {
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("KeyMaterial", ["KeyFormats"]),
        ("PEM", ["KeyFormats"]),
        ("OpenSSHPublicKey", ["KeyFormats"]),
        ("RFC4716", ["KeyFormats"]),
        ("OpenSSHPrivateKey", ["KeyFormats"]),
        ("PPK", ["KeyFormats", .product(name: "Crypto", package: "swift-crypto")]),
        ("CertificateKeyCheck", ["KeyFormats"]),
        ("QueryParameters", ["AWSProtocol"]),
        ("SigV4Authorization", ["AWSProtocol"]),
        ("InstanceConnectJSON", ["EC2API"]),
    ]
    let needed: Set<String> = ["KeyFormats", "AWSProtocol", "KeywayCore", "EC2API"]
    package.targets.removeAll { !needed.contains($0.name) }
    package.products.removeAll()
    for (name, dependencies) in fuzzTargets {
        package.targets.append(
            .executableTarget(
                name: "Fuzz\(name)", dependencies: dependencies, path: "Fuzz/\(name)",
                swiftSettings: [.unsafeFlags(["-parse-as-library"])]
            )
        )
    }
}
