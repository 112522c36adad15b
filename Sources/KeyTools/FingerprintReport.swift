import Foundation
import KeyFormats

/// Every fingerprint of a key, as `keyway key fingerprint` prints it.
public struct FingerprintReport: Sendable {
    public let material: KeyMaterial

    public init(material: KeyMaterial) {
        self.material = material
    }

    /// Labelled lines, one fingerprint each.
    public var text: String {
        let prints = self.material.fingerprints
        let key = self.material.publicKey
        let created: String
        if let awsCreated = prints.awsCreated {
            created = awsCreated
        } else {
            created =
                "n/a (EC2's fingerprint of a key it created is the SHA-1 of the private key; this is a public key)"
        }
        return """
            type:          \(key.keyType.rawValue) \(key.bitCount)
            aws-created:   \(created)
            aws-imported:  \(prints.awsImported)
            sha256:        \(prints.sha256)
            md5:           \(prints.md5)

            """
    }

    /// One JSON object: `type`, `bits`, `awsCreated` (null where it cannot be computed), `awsImported`, `sha256`,
    /// `md5`.
    public var json: String {
        let prints = self.material.fingerprints
        let object: [String: Any] = [
            "type": self.material.publicKey.keyType.rawValue,
            "bits": self.material.publicKey.bitCount,
            "awsCreated": prints.awsCreated.map { $0 as Any } ?? NSNull(),
            "awsImported": prints.awsImported,
            "sha256": prints.sha256,
            "md5": prints.md5,
        ]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
