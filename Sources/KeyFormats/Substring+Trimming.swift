extension Substring {
    /// The text without the trailing characters that `isTrimmed` accepts, found in one backward pass.
    ///
    /// A loop of `dropLast()` is quadratic on text: without a count it is `Collection.dropLast(_:)`, which counts
    /// the whole text on every call (a certificate followed by 64 KB of spaces took minutes).
    func trimmingSuffix(while isTrimmed: (Character) -> Bool) -> Substring {
        var end = self.endIndex
        while end > self.startIndex {
            let before = self.index(before: end)
            guard isTrimmed(self[before]) else { break }
            end = before
        }
        return self[self.startIndex..<end]
    }
}

extension Character {
    /// Space, tab or CR: what line-based formats ignore at the end of a line.
    static func isLineSpace(_ character: Character) -> Bool {
        character == " " || character == "\t" || character == "\r"
    }
}
