import KeyFormats
import Testing

/// Every file of the malformed corpus gives a typed error with the expected code, and none crashes.
@Suite struct MalformedCorpusTests {
    @Test func corpusIsLargeEnough() {
        #expect(Fixtures.malformedCases.count >= 60)
    }

    @Test(arguments: Fixtures.malformedCases)
    func rejectsWithTypedError(_ testCase: MalformedCase) throws {
        let bytes = try Fixtures.bytes("malformed/\(testCase.file)")
        do {
            let material = try KeyMaterial(bytes: bytes)
            Issue.record("\(testCase.file) parsed as a \(material.format.rawValue) \(material.publicKey.keyType)")
        } catch let error as KeyFormatsError {
            if testCase.code != "*" {
                #expect(error.code.description == testCase.code, "\(error.message)")
            }
            #expect(!error.message.isEmpty)
            let oneLine = !error.message.contains { $0.isNewline }
            #expect(oneLine, "messages are one line")
        }
    }
}
