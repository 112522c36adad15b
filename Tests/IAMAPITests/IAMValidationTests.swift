import AWSProtocol
import Foundation
import IAMAPI
import KeywayCore
import Testing

/// IAM's answers to bad input, as AWS words them: the model's constraints (`ValidationError`, "Value at '…'"), IAM's
/// own path rule, tag rules and limits, and the root acting on its own access keys. Runs ``IAMService`` in memory.
@Suite struct IAMValidationTests {
    struct Harness {
        let service: IAMService
        let root: Principal

        init() async throws {
            let identity = IdentityService(store: InMemoryIdentityStore())
            let (account, key) = try await identity.createAccount()
            self.root = Principal(account: account.id, user: nil, accessKeyID: key.key.id)
            self.service = IAMService(
                identity: identity,
                certificates: ServerCertificateService(store: InMemoryServerCertificateStore())
            )
        }

        /// Runs an action as the root; `values` are the parameters besides `Action` and `Version`.
        @discardableResult
        func call(_ action: String, _ values: [String: String] = [:]) async throws(AWSError) -> String {
            var all = values
            all["Action"] = action
            all["Version"] = IAMService.version
            return try await self.service.handle(
                QueryParameters(all),
                context: .init(principal: self.root, requestID: "r")
            )
        }

        /// The error an action fails with.
        func error(_ action: String, _ values: [String: String] = [:]) async -> AWSError? {
            do {
                try await self.call(action, values)
                return nil
            } catch {
                return error
            }
        }
    }

    static func validation(_ violations: String...) -> AWSError {
        AWSError(
            code: "ValidationError",
            message: "\(violations.count) validation error\(violations.count == 1 ? "" : "s") detected: "
                + violations.joined(separator: "; ")
        )
    }

    static let namePattern = "Member must satisfy regular expression pattern: [\\w+=,.@-]+"
    static let pathMessage =
        "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters."

    @Test func userNamesBreakLengthAndPattern() async throws {
        let iam = try await Harness()
        #expect(
            await iam.error("CreateUser", ["UserName": "bad name!"])
                == Self.validation("Value at 'userName' failed to satisfy constraint: \(Self.namePattern)")
        )
        #expect(
            await iam.error("CreateUser", ["UserName": String(repeating: "a", count: 65)])
                == Self.validation(
                    "Value at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64"
                )
        )
        let both = await iam.error(
            "CreateUser",
            ["UserName": String(repeating: "é", count: 65), "Path": "/" + String(repeating: "p", count: 512)]
        )
        #expect(
            both?.message
                == Self.validation(
                    "Value at 'path' failed to satisfy constraint: Member must have length less than or equal to 512",
                    "Value at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64",
                    "Value at 'userName' failed to satisfy constraint: \(Self.namePattern)"
                ).message
        )
        #expect(
            await iam.error("CreateUser")
                == Self.validation("Value at 'userName' failed to satisfy constraint: Member must not be null")
        )
        // Lookups allow 128 characters (`existingUserNameType`) and then find nothing.
        let long = String(repeating: "b", count: 100)
        #expect(await iam.error("GetUser", ["UserName": long])?.code == "NoSuchEntity")
        #expect(
            await iam.error("GetUser", ["UserName": long + long])
                == Self.validation(
                    "Value at 'userName' failed to satisfy constraint: Member must have length less than or equal to 128"
                )
        )
    }

    @Test(arguments: ["no-slash", "/no-trailing", "no-leading/", "/a//b/", "/tab\there/", ""])
    func pathsAreRefusedInIAMsWords(_ path: String) async throws {
        let iam = try await Harness()
        let error = try #require(await iam.error("CreateUser", ["UserName": "u", "Path": path]))
        #expect(error.code == "ValidationError")
        #expect(error.status == .badRequest)
        if path.isEmpty {
            #expect(
                error.message
                    == Self.validation(
                        "Value at 'path' failed to satisfy constraint: Member must have length greater than or equal to 1"
                    ).message
            )
        } else {
            #expect(error.message == Self.pathMessage)
        }
    }

    @Test func pathPrefixesAndNewPaths() async throws {
        let iam = try await Harness()
        try await iam.call("CreateUser", ["UserName": "u", "Path": "/test-lifecycle-path/"])
        let listed = try await iam.call("ListUsers", ["PathPrefix": "/test-life"])
        #expect(listed.contains("<UserName>u</UserName>"))
        #expect(
            await iam.error("ListUsers", ["PathPrefix": "test"])?.message
                == "The specified value for pathPrefix is invalid. It must begin with the / character and contain only alphanumeric characters and/or / characters."
        )
        #expect(
            await iam.error("UpdateServerCertificate", ["ServerCertificateName": "c", "NewPath": "x"])?.message
                == "The specified value for newPath is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters."
        )
    }

    @Test func idsEnumsAndPagingParameters() async throws {
        let iam = try await Harness()
        #expect(
            await iam.error("GetAccessKeyLastUsed", ["AccessKeyId": "not-a-valid-access-key-id"])
                == Self.validation(
                    "Value at 'accessKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]+"
                )
        )
        #expect(
            await iam.error("DeleteAccessKey", ["AccessKeyId": "AKIA"])
                == Self.validation(
                    "Value at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16"
                )
        )
        #expect(
            await iam.error("UpdateAccessKey", ["AccessKeyId": "AKIAAAAAAAAAAAAAAAAA", "Status": "Disabled"])
                == Self.validation("Value at 'status' failed to satisfy constraint: Member must satisfy enum value set")
        )
        #expect(
            await iam.error("GetSSHPublicKey", ["UserName": "u", "SSHPublicKeyId": "APKA1234", "Encoding": "DER"])
                == Self.validation(
                    "Value at 'encoding' failed to satisfy constraint: Member must satisfy enum value set",
                    "Value at 'sSHPublicKeyId' failed to satisfy constraint: Member must have length greater than or equal to 20"
                )
        )
        #expect(
            await iam.error("ListUsers", ["MaxItems": "0"])
                == Self.validation(
                    "Value at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"
                )
        )
        #expect(
            await iam.error("ListUsers", ["MaxItems": "1001"])
                == Self.validation(
                    "Value at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000"
                )
        )
        #expect(
            await iam.error("ListUsers", ["Marker": "not base64 at all"])
                == AWSError(code: "ValidationError", message: "Invalid Marker.")
        )
        #expect(
            await iam.error("UploadSSHPublicKey", ["UserName": "u", "SSHPublicKeyBody": "ssh-rsa ключ"])
                == Self.validation(
                    "Value at 'sSHPublicKeyBody' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"
                )
        )
    }

    @Test func tagListsBreakTheModel() async throws {
        let iam = try await Harness()
        var tooMany = ["UserName": "u"]
        for index in 1...51 {
            tooMany["Tags.member.\(index).Key"] = "k\(index)"
            tooMany["Tags.member.\(index).Value"] = "v"
        }
        #expect(
            await iam.error("CreateUser", tooMany)
                == Self.validation(
                    "Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"
                )
        )
        #expect(
            await iam.error(
                "CreateUser",
                [
                    "UserName": "u", "Tags.member.1.Key": String(repeating: "k", count: 129),
                    "Tags.member.1.Value": "v",
                    "Tags.member.2.Key": "invalid!key", "Tags.member.2.Value": String(repeating: "v", count: 257),
                    "Tags.member.3.Key": "no-value",
                ]
            )
                == Self.validation(
                    "Value at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128",
                    "Value at 'tags.2.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+",
                    "Value at 'tags.2.member.value' failed to satisfy constraint: Member must have length less than or equal to 256",
                    "Value at 'tags.3.member.value' failed to satisfy constraint: Member must not be null"
                )
        )
        try await iam.call("CreateUser", ["UserName": "u"])
        #expect(
            await iam.error("UntagUser", ["UserName": "u", "TagKeys.member.1": "ok", "TagKeys.member.2": "bad!"])
                == Self.validation(
                    "Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+, Member must not be null]"
                )
        )
        #expect(
            await iam.error("TagUser", ["UserName": "u"])
                == Self.validation("Value at 'tags' failed to satisfy constraint: Member must not be null")
        )
        // Validation comes before the user is looked up.
        #expect(await iam.error("TagUser", tooMany.merging(["UserName": "nobody"]) { $1 })?.code == "ValidationError")
    }

    @Test func userTagRulesAndLimit() async throws {
        let iam = try await Harness()
        let caseInsensitive = AWSError(
            code: "InvalidInput",
            message: "Duplicate tag keys found. Please note that Tag keys are case insensitive."
        )
        #expect(
            await iam.error(
                "CreateUser",
                [
                    "UserName": "u", "Tags.member.1.Key": "Team", "Tags.member.1.Value": "a",
                    "Tags.member.2.Key": "team", "Tags.member.2.Value": "b",
                ]
            )
                == caseInsensitive
        )
        let reserved = await iam.error(
            "CreateUser",
            ["UserName": "u", "Tags.member.1.Key": "AWS:team", "Tags.member.1.Value": "a"]
        )
        #expect(reserved?.code == "InvalidInput")
        #expect(
            await iam.error("CreateUser", ["UserName": "u", "Tags.member.1.Key": "k", "Tags.member.1.Value": "aws:x"])?
                .code == "InvalidInput"
        )

        try await iam.call("CreateUser", ["UserName": "u", "Tags.member.1.Key": "Team", "Tags.member.1.Value": "a"])
        var fifty = ["UserName": "u"]
        for index in 1...50 {
            fifty["Tags.member.\(index).Key"] = String(format: "k%02d", index)
            fifty["Tags.member.\(index).Value"] = "v"
        }
        let limit = await iam.error("TagUser", fifty)
        #expect(
            limit
                == AWSError(
                    code: "LimitExceeded",
                    message: "The number of tags has reached the maximum limit.",
                    status: .conflict
                )
        )
        #expect(limit?.status == .conflict)
        // Nothing was added; replacing a key in another case does not count twice.
        fifty["Tags.member.50.Key"] = "TEAM"
        try await iam.call("TagUser", fifty)
        let listed = try await iam.call("ListUserTags", ["UserName": "u", "MaxItems": "1000"])
        #expect(listed.components(separatedBy: "<member>").count - 1 == 50)
        #expect(listed.contains("<Key>TEAM</Key>"))
        #expect(!listed.contains("<Key>Team</Key>"))
        #expect(
            await iam.error("ListUserTags", ["UserName": "nobody"])
                == AWSError(
                    code: "NoSuchEntity",
                    message: "The user with name nobody cannot be found.",
                    status: .notFound
                )
        )
    }

    @Test func serverCertificateTagKeysAreCaseSensitive() async throws {
        let iam = try await Harness()
        let duplicate = await iam.error(
            "UploadServerCertificate",
            [
                "ServerCertificateName": "c", "CertificateBody": "x", "PrivateKey": "y",
                "Tags.member.1.Key": "k", "Tags.member.1.Value": "1", "Tags.member.2.Key": "k",
                "Tags.member.2.Value": "2",
            ]
        )
        #expect(duplicate == AWSError(code: "InvalidInput", message: "Duplicate tag keys found."))
        // Keys differing in case pass the tag rules and reach the certificate checks.
        let cased = await iam.error(
            "UploadServerCertificate",
            [
                "ServerCertificateName": "c", "CertificateBody": "x", "PrivateKey": "y",
                "Tags.member.1.Key": "k", "Tags.member.1.Value": "1", "Tags.member.2.Key": "K",
                "Tags.member.2.Value": "2",
            ]
        )
        #expect(cased?.code == "MalformedCertificate")
    }

    @Test func rootActsOnItsOwnKeysWithoutAUserName() async throws {
        let iam = try await Harness()
        let created = try await iam.call("CreateAccessKey")
        let id = try #require(created.firstMatch(of: /<AccessKeyId>(AKIA[A-Z2-7]{16})<\/AccessKeyId>/)?.1)
        #expect(
            await iam.error("CreateAccessKey")
                == AWSError(
                    code: "LimitExceeded",
                    message: "Cannot exceed quota for AccessKeysPerUser: 2",
                    status: .conflict
                )
        )
        try await iam.call("UpdateAccessKey", ["AccessKeyId": String(id), "Status": "Inactive"])
        #expect(try await iam.call("ListAccessKeys").contains("<Status>Inactive</Status>"))
        try await iam.call("DeleteAccessKey", ["AccessKeyId": String(id)])
        #expect(!(try await iam.call("ListAccessKeys")).contains(String(id)))
        #expect(await iam.error("DeleteAccessKey", ["AccessKeyId": String(id)])?.code == "NoSuchEntity")
    }
}
