// swift-tools-version:6.2
// Hummingbird 2.28.1, which the server issue brings in, needs tools version 6.2; the package starts there.
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
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        // Modular arithmetic for the RSA CRT values that OpenSSH and PuTTY files omit (d mod p-1, d mod q-1).
        .package(url: "https://github.com/attaswift/BigInt.git", exact: "6.0.1"),
    ],
    targets: [
        .target(
            name: "KeyFormats",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "BigInt", package: "BigInt"),
            ]
        ),
        .target(
            name: "KeyTools",
            dependencies: ["KeyFormats"]
        ),
        .executableTarget(
            name: "keyway",
            dependencies: [
                "KeyTools",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "keyway-bench",
            dependencies: ["KeyFormats"],
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
    ],
    swiftLanguageModes: [.v6]
)
