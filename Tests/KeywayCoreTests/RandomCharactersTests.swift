import Testing

@testable import KeywayCore

@Suite struct RandomCharactersTests {
    /// Counts the generator's calls, answering from a simple mixing sequence.
    struct CountingGenerator: RandomNumberGenerator {
        var calls = 0
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        mutating func next() -> UInt64 {
            self.calls += 1
            self.state &+= 0x9E37_79B9_7F4A_7C15
            var z = self.state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Each character takes only its share of a word: 17 hex digits (68 bits) need two words, 40 base64 characters
    /// (240 bits) four.
    @Test func drawsWholeWords() {
        var generator = CountingGenerator()
        _ = RandomCharacters.string(count: 17, from: RandomCharacters.hex, using: &generator)
        #expect(generator.calls == 2)
        generator.calls = 0
        _ = RandomCharacters.string(count: 40, from: RandomCharacters.base64, using: &generator)
        #expect(generator.calls == 4)
    }

    /// Strings have the length asked for, only characters of the alphabet, and every character turns up.
    @Test(arguments: [RandomCharacters.hex, RandomCharacters.base32, RandomCharacters.base64])
    func usesTheWholeAlphabet(_ alphabet: [UInt8]) {
        var generator = SystemRandomNumberGenerator()
        var seen = Set<UInt8>()
        for _ in 0..<200 {
            let text = RandomCharacters.string(count: 21, from: alphabet, using: &generator)
            #expect(text.utf8.count == 21)
            #expect(text.utf8.allSatisfy(alphabet.contains))
            seen.formUnion(text.utf8)
        }
        #expect(seen == Set(alphabet))
    }

    @Test func idsKeepTheirForms() {
        var generator = SystemRandomNumberGenerator()
        #expect(KeyPairID(rawValue: KeyPairID.random(using: &generator).rawValue) != nil)
        #expect(InstanceID(rawValue: InstanceID.random(using: &generator).rawValue) != nil)
        #expect(AccessKeyID(rawValue: AccessKeyID.random(using: &generator).rawValue) != nil)
        #expect(SecretAccessKey.random(using: &generator).value.utf8.count == 40)
    }
}
