import Foundation
import Testing

/// Locates and reads the fixture files beside this test target; see `Fixtures/README.md` for their provenance.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: Self.root.appendingPathComponent(path)))
    }

    static func text(_ path: String) throws -> String {
        try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
    }

    /// The rows of `malformed/expected.tsv`: a file name and the error code it must produce (`*` for any).
    static let malformedCases: [MalformedCase] = {
        let table = (try? Self.text("malformed/expected.tsv")) ?? ""
        return table.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { row in
            let columns = row.split(separator: "\t")
            return MalformedCase(file: String(columns[0]), code: String(columns[1]))
        }
    }()

    /// The valid fixtures with the fingerprints that ssh-keygen and openssl computed for them.
    static let validCases: [ValidCase] = {
        guard let data = try? Data(contentsOf: Self.root.appendingPathComponent("valid/expected.json")),
            let table = try? JSONDecoder().decode([String: ValidCase.Expected].self, from: data)
        else { return [] }
        return table.keys.sorted().map { ValidCase(file: $0, expected: table[$0]!) }
    }()
}

struct MalformedCase: CustomTestStringConvertible, Sendable {
    let file: String
    let code: String
    var testDescription: String { "\(self.file) → \(self.code)" }
}

struct ValidCase: CustomTestStringConvertible, Sendable {
    struct Expected: Decodable, Sendable {
        let awsCreated: String?
        let awsImported: String
        let sha256: String
        let md5: String
        let publicLine: String
    }

    let file: String
    let expected: Expected
    var testDescription: String { self.file }
}
