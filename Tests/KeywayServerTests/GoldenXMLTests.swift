import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KeyFormats
import KeywayCore
import KeywayServer
import Synchronization
import Testing

/// Every EC2 response and error envelope, in process, compared byte for byte with the files in `Golden/`.
///
/// The environment is pinned: the clock, sequential key pair IDs and request IDs, and generated keys that are the
/// spec's RSA vector and an Ed25519 key with a fixed seed. The server runs in `--dev` mode, so the fixed dummy
/// signature is accepted as the dev account's root; signature checks have their own tests. Set `KEYWAY_UPDATE_GOLDEN=1` to rewrite the files after
/// a deliberate change, then review the diff against `../shared/spec/aws-api-spec.md`.
@Suite struct GoldenXMLTests {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Golden"
    )
    static let rsaVector = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../KeyFormatsTests/Fixtures/vectors/spec-rsa-1024.pem")

    static func configuration() throws -> ServerConfiguration {
        let rsa = try #require(try KeyMaterial(text: String(contentsOf: Self.rsaVector, encoding: .utf8)).privateKey)
        let ed25519 = try PrivateKey(ed25519Seed: [UInt8](repeating: 1, count: 32))
        let ids = Mutex(0)
        let requests = Mutex(0)
        let users = Mutex(0)
        let environment = KeyPairService.Environment(
            now: { Date(timeIntervalSince1970: 1_795_435_200.123) },  // 2026-11-23T12:00:00.123Z
            newKeyPairID: {
                let next = ids.withLock { value in
                    value += 1
                    return value
                }
                return KeyPairID(
                    rawValue: "key-" + String(repeating: "0", count: 17 - String(next).count) + String(next)
                )!
            },
            generateKey: { type in type == .rsa ? rsa : ed25519 }
        )
        return ServerConfiguration(
            storage: .memory,
            regions: ["us-east-1", "eu-west-1"].map { Region(rawValue: $0)! },
            devAccount: ServerConfiguration.defaultDevAccount,
            logLevel: .error,
            environment: environment,
            identityEnvironment: IdentityService.Environment(
                now: { Date(timeIntervalSince1970: 1_795_435_200.123) },
                newAccountID: IdentityService.Environment.live.newAccountID,
                newAccessKeyID: IdentityService.Environment.live.newAccessKeyID,
                newSecret: IdentityService.Environment.live.newSecret,
                newUserID: {
                    let next = users.withLock { value in
                        value += 1
                        return value
                    }
                    return UserID(
                        rawValue: "AIDA" + String(repeating: "A", count: 16)
                            + String(Character(Unicode.Scalar(UInt8(65 + next))))
                    )!
                }
            ),
            newRequestID: {
                let next = requests.withLock { value in
                    value += 1
                    return value
                }
                return "00000000-0000-4000-8000-\(String(format: "%012d", next))"
            }
        )
    }

    /// One request of the script and the golden file its answer must equal.
    struct Step {
        var golden: String
        var body: String
        var status: Int
        var region = "us-east-1"
        var service = "ec2"
    }

    static let v = "Version=2016-11-15"
    static let iam = "Version=2010-05-08"
    static let edLine =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFUO/V7kPC050XeczAW0ucEa3mCtyUMFrpydJ9F+WJc5 vector-ed25519"

    static let script: [Step] = [
        Step(golden: "describe-key-pairs-empty", body: "Action=DescribeKeyPairs&\(v)", status: 200),
        Step(
            golden: "create-key-pair-rsa",
            body:
                "Action=CreateKeyPair&\(v)&KeyName=golden-rsa&TagSpecification.1.ResourceType=key-pair&TagSpecification.1.Tag.1.Key=env&TagSpecification.1.Tag.1.Value=dev",
            status: 200
        ),
        Step(
            golden: "create-key-pair-ppk",
            body: "Action=CreateKeyPair&\(v)&KeyName=golden-ppk&KeyType=ed25519&KeyFormat=ppk",
            status: 200
        ),
        Step(
            golden: "import-key-pair",
            body:
                "Action=ImportKeyPair&\(v)&KeyName=golden-import&PublicKeyMaterial=\(Data(edLine.utf8).base64EncodedString().formEncoded)",
            status: 200
        ),
        Step(golden: "describe-key-pairs", body: "Action=DescribeKeyPairs&\(v)&IncludePublicKey=true", status: 200),
        Step(
            golden: "describe-key-pairs-filtered",
            body: "Action=DescribeKeyPairs&\(v)&Filter.1.Name=tag%3Aenv&Filter.1.Value.1=d%2A",
            status: 200
        ),
        Step(
            golden: "create-tags",
            body: "Action=CreateTags&\(v)&ResourceId.1=key-00000000000000003&Tag.1.Key=team&Tag.1.Value=a%26b",
            status: 200
        ),
        Step(golden: "describe-tags", body: "Action=DescribeTags&\(v)&MaxResults=5", status: 200),
        Step(
            golden: "delete-tags",
            body: "Action=DeleteTags&\(v)&ResourceId.1=key-00000000000000003&Tag.1.Key=team",
            status: 200
        ),
        Step(golden: "delete-key-pair", body: "Action=DeleteKeyPair&\(v)&KeyName=golden-import", status: 200),
        Step(golden: "delete-key-pair-missing", body: "Action=DeleteKeyPair&\(v)&KeyName=golden-import", status: 200),
        Step(golden: "describe-regions", body: "Action=DescribeRegions&\(v)", status: 200),
        Step(golden: "error-duplicate", body: "Action=CreateKeyPair&\(v)&KeyName=golden-rsa", status: 400),
        Step(
            golden: "error-not-found",
            body: "Action=DescribeKeyPairs&\(v)&KeyName.1=golden-rsa&KeyName.2=nope",
            status: 400
        ),
        Step(
            golden: "error-id-not-found",
            body: "Action=DescribeKeyPairs&\(v)&KeyPairId.1=key-0123456789abcdef0",
            status: 400
        ),
        Step(
            golden: "error-invalid-key-format",
            body: "Action=ImportKeyPair&\(v)&KeyName=bad&PublicKeyMaterial=aGVsbG8%3D",
            status: 400
        ),
        Step(golden: "error-dry-run", body: "Action=CreateKeyPair&\(v)&KeyName=dry&DryRun=true", status: 412),
        Step(
            golden: "error-invalid-filter",
            body: "Action=DescribeKeyPairs&\(v)&Filter.1.Name=key-type&Filter.1.Value.1=rsa",
            status: 400
        ),
        Step(golden: "error-missing-parameter", body: "Action=CreateKeyPair&\(v)", status: 400),
        Step(golden: "error-invalid-action", body: "Action=RunFoo&\(v)", status: 400),
        Step(golden: "error-no-such-version", body: "Action=DescribeKeyPairs&Version=2014-06-15", status: 400),
        Step(golden: "error-malformed-body", body: "Action=DescribeKeyPairs&\(v)&KeyName.1=%ZZ", status: 400),
        Step(golden: "error-invalid-key-type", body: "Action=CreateKeyPair&\(v)&KeyName=x&KeyType=dsa", status: 400),
        Step(
            golden: "error-tag-limit",
            body: "Action=CreateTags&\(v)&ResourceId.1=key-00000000000000001&"
                + (1...50).map { "Tag.\($0).Key=k\($0)" }.joined(separator: "&"),
            status: 400
        ),
        Step(golden: "error-invalid-id", body: "Action=CreateTags&\(v)&ResourceId.1=bogus&Tag.1.Key=k", status: 400),
        Step(
            golden: "error-region-not-served",
            body: "Action=DescribeKeyPairs&\(v)",
            status: 401,
            region: "ap-south-1"
        ),
        Step(
            golden: "error-iam-unknown-action",
            body: "Action=ListRoles&Version=2010-05-08",
            status: 400,
            service: "iam"
        ),
        // IAM users and their tags (keys compare regardless of case, listed by key), and IAM's validation answers.
        Step(
            golden: "iam-create-user-tags",
            body:
                "Action=CreateUser&\(iam)&UserName=golden&Path=%2Fteam%2F&Tags.member.1.Key=team&Tags.member.1.Value=blue&Tags.member.2.Key=Cost%20Center&Tags.member.2.Value=41200",
            status: 200,
            service: "iam"
        ),
        Step(golden: "iam-create-user", body: "Action=CreateUser&\(iam)&UserName=plain", status: 200, service: "iam"),
        Step(
            golden: "iam-tag-user",
            body: "Action=TagUser&\(iam)&UserName=GOLDEN&Tags.member.1.Key=Team&Tags.member.1.Value=green",
            status: 200,
            service: "iam"
        ),
        Step(golden: "iam-get-user-tags", body: "Action=GetUser&\(iam)&UserName=golden", status: 200, service: "iam"),
        Step(
            golden: "iam-list-user-tags-page",
            body: "Action=ListUserTags&\(iam)&UserName=golden&MaxItems=1",
            status: 200,
            service: "iam"
        ),
        Step(
            golden: "iam-untag-user",
            body: "Action=UntagUser&\(iam)&UserName=golden&TagKeys.member.1=TEAM",
            status: 200,
            service: "iam"
        ),
        Step(
            golden: "iam-list-user-tags",
            body: "Action=ListUserTags&\(iam)&UserName=golden",
            status: 200,
            service: "iam"
        ),
        Step(golden: "iam-list-users", body: "Action=ListUsers&\(iam)", status: 200, service: "iam"),
        Step(
            golden: "iam-error-validation",
            body: "Action=CreateUser&\(iam)&UserName=bad%20name%21&Tags.member.1.Key=k%2A&Tags.member.1.Value=v",
            status: 400,
            service: "iam"
        ),
        Step(
            golden: "iam-error-invalid-path",
            body: "Action=CreateUser&\(iam)&UserName=x&Path=no-slashes",
            status: 400,
            service: "iam"
        ),
        Step(
            golden: "iam-error-duplicate-tag-keys",
            body:
                "Action=TagUser&\(iam)&UserName=golden&Tags.member.1.Key=a&Tags.member.1.Value=1&Tags.member.2.Key=A&Tags.member.2.Value=2",
            status: 400,
            service: "iam"
        ),
        Step(
            golden: "iam-error-tag-limit",
            body: "Action=TagUser&\(iam)&UserName=golden&"
                + (1...50).map { "Tags.member.\($0).Key=k\($0)&Tags.member.\($0).Value=v" }.joined(separator: "&"),
            status: 409,
            service: "iam"
        ),
        Step(
            golden: "iam-error-no-such-user",
            body: "Action=ListUserTags&\(iam)&UserName=nobody",
            status: 404,
            service: "iam"
        ),
    ]

    @Test func responsesMatchTheGoldenFiles() async throws {
        let app = try await buildApplication(configuration: try Self.configuration())
        let update = ProcessInfo.processInfo.environment["KEYWAY_UPDATE_GOLDEN"] == "1"
        try await app.test(.router) { client in
            for step in Self.script {
                var headers = HTTPFields()
                headers[.contentType] = "application/x-www-form-urlencoded; charset=utf-8"
                headers[.authorization] =
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/\(step.region)/\(step.service)/aws4_request, SignedHeaders=host, Signature=\(String(repeating: "0", count: 64))"
                headers[.init("X-Amz-Date")!] = "20261123T120000Z"
                let response = try await client.execute(
                    uri: "/",
                    method: .post,
                    headers: headers,
                    body: ByteBuffer(string: step.body)
                )
                let body = String(buffer: response.body)
                let file = Self.goldenDirectory.appendingPathComponent("\(step.golden).xml")
                #expect(response.status.code == step.status, "\(step.golden)")
                #expect(response.headers[.contentType] == "text/xml;charset=UTF-8", "\(step.golden)")
                if update {
                    try body.write(to: file, atomically: true, encoding: .utf8)
                } else {
                    let expected = try String(contentsOf: file, encoding: .utf8)
                    #expect(body == expected, "\(step.golden)")
                }
            }
        }
    }
}

extension String {
    /// Form encoding for a value: what botocore sends.
    var formEncoded: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_.~")
        return self.addingPercentEncoding(withAllowedCharacters: allowed)!
    }
}
