import AWSProtocol

/// Query-protocol parameters: the input up to its first newline is the query string, the rest the form body; then
/// the typed readers EC2 and IAM use.
@_cdecl("LLVMFuzzerTestOneInput")
public func queryParametersFuzzer(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : count))
    let newline = bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
    let query = String(decoding: bytes[..<newline], as: UTF8.self)
    let body = Array(bytes[min(newline + 1, bytes.endIndex)...])
    let request = AWSRequest(method: "POST", path: "/", query: query, headers: [], body: body)
    guard let parameters = try? QueryParameters(request: request) else { return 0 }
    for name in parameters.names {
        _ = try? parameters.required(name)
        _ = try? parameters.bool(name)
        _ = try? parameters.int(name)
    }
    for name in ["KeyName", "Filter", "TagSpecification", "Tags", "KeyPairId"] {
        _ = parameters.list(name)
        _ = parameters.memberList(name)
        for structure in parameters.structures(name) {
            _ = structure.list("Value")
            _ = structure.structures("Tag").map { $0["Key"] }
        }
    }
    return 0
}
