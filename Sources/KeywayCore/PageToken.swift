import Foundation

/// The one pagination token of every paged list (EC2 `NextToken`, IAM `Marker`): the sort key of the last item of
/// the previous page, base64 of its fields joined by NUL. A page continues after that key, so items added or
/// removed between pages neither repeat nor shift the rest. Not secret and not signed: a made-up token can only
/// skip to another place in the caller's own list.
public enum PageToken {
    /// The token for a page that ended at an item with these key fields (which hold no NUL).
    public static func encode(_ fields: [String]) -> String {
        Data(fields.joined(separator: "\u{0}").utf8).base64EncodedString()
    }

    /// The key fields of a token, which must have `fields` of them; `invalidParameterValue` (subject `parameter`)
    /// for anything that is not such a token.
    public static func decode(
        _ token: String,
        fields: Int,
        parameter: String = "NextToken"
    ) throws(KeywayError) -> [String] {
        guard token.utf8.count <= 4096, let data = Data(base64Encoded: token),
            let text = String(data: data, encoding: .utf8)
        else {
            throw KeywayError(.invalidParameterValue, subject: parameter, detail: "The \(parameter) is not valid.")
        }
        let parts = text.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == fields else {
            throw KeywayError(.invalidParameterValue, subject: parameter, detail: "The \(parameter) is not valid.")
        }
        return parts
    }
}
