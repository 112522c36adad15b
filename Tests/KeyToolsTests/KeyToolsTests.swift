import Foundation
import KeyFormats
import KeyTools
import Testing

@Suite struct KeyToolsTests {
    static func temporaryFile(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "keyway-tools-\(UUID().uuidString)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func fingerprintJSONHasEveryMemberAndNullForMissingCreated() throws {
        let key = try PrivateKey(generating: .rsa)
        let publicPath = try Self.temporaryFile(key.publicKey.openSSHRepresentation())
        defer { try? FileManager.default.removeItem(atPath: publicPath) }
        let json = FingerprintReport(material: try KeyFile.read(publicPath)).json
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["type", "bits", "awsCreated", "awsImported", "sha256", "md5"])
        #expect(object["awsCreated"] is NSNull)
        #expect(object["type"] as? String == "rsa")
        #expect(object["bits"] as? Int == 2048)
        #expect(object["awsImported"] as? String == key.fingerprints.awsImported)
    }

    @Test func matchNamesTheFileAndRule() throws {
        let key = try PrivateKey(generating: .rsa)
        let other = try PrivateKey(generating: .rsa)
        let right = try Self.temporaryFile(key.pkcs1PEMRepresentation!)
        let wrong = try Self.temporaryFile(other.pkcs1PEMRepresentation!)
        let publicOnly = try Self.temporaryFile(key.publicKey.openSSHRepresentation())
        defer { for path in [right, wrong, publicOnly] { try? FileManager.default.removeItem(atPath: path) } }

        let report = try MatchReport(fingerprint: key.awsCreatedFingerprint, paths: [wrong, right, publicOnly])
        #expect(report.matched)
        #expect(report.entries.map(\.rules) == [[], [.awsCreated], []])
        #expect(report.text.contains("\(right): match (AWS-created"))
        #expect(!report.text.contains(wrong))

        let none = try MatchReport(fingerprint: key.awsCreatedFingerprint, paths: [publicOnly])
        #expect(!none.matched)
        #expect(none.text.contains("private key"))
    }

    @Test func badFingerprintIsBadInput() {
        #expect(throws: KeyToolError.badInput("", "")) { try MatchReport(fingerprint: "nope", paths: []) }
    }

    @Test func unreadableFilesAreReportedNotFatal() throws {
        let report = try MatchReport(
            fingerprint: "da:17:fb:a9:23:54:c4:4f:f8:09:39:9a:48:01:f0:71",
            paths: ["/nonexistent/key"]
        )
        #expect(!report.matched)
        #expect(report.errors.count == 1)
        #expect(report.errors[0].description.hasPrefix("keyway: /nonexistent/key: "))
    }

    /// Inputs from the fuzz corpus that once trapped (SIGILL) in `keyway key fingerprint`: now one line of bad input.
    @Test(arguments: ["RFC4716/crash-header-only-colon", "KeyMaterial/crash-openssh-padding-256"])
    func fuzzReproducersAreBadInput(_ corpusFile: String) throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Fuzz/Corpus/\(corpusFile)").standardizedFileURL
        let path = try Self.temporaryFile(String(decoding: try Data(contentsOf: source), as: UTF8.self))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let material = try KeyFile.read(path)
            Issue.record("read as \(material.format.rawValue)")
        } catch {
            #expect(error.code == .badInput)
            #expect(error.description.hasPrefix("keyway: \(path): "))
            #expect(!error.description.contains { $0.isNewline })
        }
    }

    @Test func generationRefusesWeakAndImpossibleSizes() throws {
        let weak = KeyGenerationRequest(type: .rsa, bits: 1024, format: .pem, comment: nil, allowInsecureSize: false)
        #expect(throws: KeyToolError.badInput("", "")) { try weak.generate() }
        let odd = KeyGenerationRequest(type: .rsa, bits: 2000, format: .pem, comment: nil, allowInsecureSize: false)
        #expect(throws: KeyToolError.badInput("", "")) { try odd.generate() }
        let ed = KeyGenerationRequest(type: .ed25519, bits: 2048, format: .pem, comment: nil, allowInsecureSize: false)
        #expect(throws: KeyToolError.badInput("", "")) { try ed.generate() }
        let publicFormat = KeyGenerationRequest(
            type: .ed25519,
            bits: nil,
            format: .spki,
            comment: nil,
            allowInsecureSize: false
        )
        #expect(throws: KeyToolError.badInput("", "")) { try publicFormat.generate() }
        let allowed = KeyGenerationRequest(
            type: .rsa,
            bits: 1024,
            format: .ppk,
            comment: "old",
            allowInsecureSize: true
        )
        let key = try allowed.generate()
        #expect(key.privateKeyText.hasPrefix("PuTTY-User-Key-File-2: ssh-rsa\n"))
        #expect(key.publicLine.hasSuffix(" old"))
    }

    @Test func privateFilesAreWrittenOwnerOnly() throws {
        let path = NSTemporaryDirectory() + "keyway-private-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = FileManager.default.createFile(
            atPath: path,
            contents: Data("old".utf8),
            attributes: [.posixPermissions: 0o644]
        )
        try KeyFile.writePrivate("secret\n", to: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "secret\n")
    }

    @Test func convertingAPublicKeyToAPrivateFormatIsRefused() throws {
        let key = try PrivateKey(generating: .ed25519)
        let material = try KeyMaterial(text: key.publicKey.openSSHRepresentation())
        #expect(throws: KeyToolError.unsupported("", "")) { try material.rendered(as: .openssh, subject: "x") }
        #expect(try material.rendered(as: .rfc4716, subject: "x").hasPrefix("---- BEGIN SSH2 PUBLIC KEY ----"))
    }
}
