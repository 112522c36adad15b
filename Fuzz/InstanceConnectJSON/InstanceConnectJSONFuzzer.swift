import EC2API

/// EC2 Instance Connect's SendSSHPublicKey body, as JSON from the network.
@_cdecl("LLVMFuzzerTestOneInput")
public func instanceConnectJSONFuzzer(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let body = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : count))
    switch InstanceConnectService.parseRequest(body) {
    case .success(let request):
        precondition((10...32).contains(request.instanceID.count) && (80...4096).contains(request.publicKey.count))
    case .failure(let answer):
        precondition(answer.status == 400 && answer.errorCode == "InvalidArgsException")
    }
    return 0
}
