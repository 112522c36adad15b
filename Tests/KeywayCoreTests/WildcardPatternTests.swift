import KeywayCore
import Testing

@Suite struct WildcardPatternTests {
    @Test(arguments: [
        ("abc", "abc", true), ("abc", "abd", false), ("a*", "a", true), ("a*", "abc", true), ("*c", "abc", true),
        ("a*c", "ac", true), ("a*c", "abbbc", true), ("a*c", "abcd", false), ("a?c", "abc", true), ("a?c", "ac", false),
        ("*", "", true), ("?", "", false), ("a\\*", "a*", true), ("a\\*", "ab", false), ("a\\?", "a?", true),
        ("*b*b*", "abcbd", true), ("*b*b*", "abcd", false), ("Key", "key", false), ("é?", "éa", true),
    ])
    func matches(_ pattern: String, _ text: String, _ expected: Bool) {
        #expect(WildcardPattern(pattern).matches(text) == expected)
    }
}
