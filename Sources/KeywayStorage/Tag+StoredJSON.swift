import Foundation
import KeywayCore

/// Tags as the SQLite stores keep them in a `tags_json` column: a JSON array of `[key, value]` pairs, in order.
extension Tag {
    static func storedJSON(_ tags: [Tag]) throws -> String {
        String(decoding: try JSONEncoder().encode(tags.map { [$0.key, $0.value] }), as: UTF8.self)
    }

    /// The tags of a `tags_json` column; nil when the text is not such an array.
    static func fromStoredJSON(_ text: String) -> [Tag]? {
        guard let pairs = try? JSONDecoder().decode([[String]].self, from: Data(text.utf8)),
            pairs.allSatisfy({ $0.count == 2 })
        else { return nil }
        return pairs.map { Tag(key: $0[0], value: $0[1]) }
    }
}
