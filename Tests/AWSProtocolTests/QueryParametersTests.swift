import AWSProtocol
import Testing

@Suite struct QueryParametersTests {
    static func parse(_ body: String, query: String = "") throws(AWSError) -> QueryParameters {
        try QueryParameters(
            request: AWSRequest(method: "POST", path: "/", query: query, headers: [], body: Array(body.utf8))
        )
    }

    @Test func decodesFormEncoding() throws {
        let parameters = try Self.parse(
            "Action=ImportKeyPair&KeyName=my+key%2F1&Empty=&PublicKeyMaterial=c3NoLXJzYQ%3D%3D"
        )
        #expect(parameters["Action"] == "ImportKeyPair")
        #expect(parameters["KeyName"] == "my key/1")
        #expect(parameters["Empty"] == "")
        #expect(parameters["Absent"] == nil)
        #expect(parameters["PublicKeyMaterial"] == "c3NoLXJzYQ==")
    }

    @Test func readsEC2AndIAMLists() throws {
        let parameters = try Self.parse(
            "KeyName.2=b&KeyName.1=a&KeyName.10=j&Tags.member.1.Key=k&Users.member.2=y&Users.member.1=x"
        )
        #expect(parameters.list("KeyName") == ["a", "b", "j"])
        #expect(parameters.memberList("Users") == ["x", "y"])
        #expect(parameters.list("Missing").isEmpty)
    }

    /// Only `Name.N` with N in decimal as AWS writes it belongs to the list `Name`.
    @Test func listMembersAreNameDotNumber() throws {
        let parameters = try Self.parse(
            "KeyName.3=c&KeyName.01=z&KeyName.1x=z&KeyNameX.2=z&KeyName.=z&KeyName.-4=z&KeyName=z&KeyName.0=a"
        )
        #expect(parameters.list("KeyName") == ["a", "c"])
        #expect(parameters.list("KeyNam").isEmpty)
    }

    @Test func readsStructures() throws {
        let parameters = try Self.parse(
            "Filter.2.Name=tag-key&Filter.2.Value.1=env&Filter.1.Name=key-name&Filter.1.Value.2=b*&Filter.1.Value.1=a"
        )
        let filters = parameters.structures("Filter")
        #expect(filters.count == 2)
        #expect(filters[0]["Name"] == "key-name")
        #expect(filters[0].list("Value") == ["a", "b*"])
        #expect(filters[1]["Name"] == "tag-key")
    }

    @Test func queryStringAndBodyMerge() throws {
        let parameters = try Self.parse("KeyName=a", query: "Action=DescribeKeyPairs")
        #expect(parameters["Action"] == "DescribeKeyPairs")
        #expect(parameters["KeyName"] == "a")
    }

    @Test(arguments: [
        "Action=%ZZ", "Action=%4", "KeyName=%FF%FE", "KeyName=a%00b", "KeyName=a&KeyName=b", "=value",
    ])
    func malformedBodiesAreRefused(_ body: String) {
        #expect(throws: AWSError.self) { try Self.parse(body) }
        do {
            _ = try Self.parse(body)
        } catch {
            #expect(error.code == "MalformedQueryString")
            #expect(error.status.code == 400)
        }
    }

    @Test func typedReaders() throws {
        let parameters = try Self.parse("DryRun=true&IncludePublicKey=FALSE&MaxResults=5&Bad=maybe&NaN=x")
        #expect(try parameters.bool("DryRun"))
        #expect(try !parameters.bool("IncludePublicKey"))
        #expect(try !parameters.bool("Absent"))
        #expect(try parameters.int("MaxResults") == 5)
        #expect(throws: AWSError.self) { try parameters.bool("Bad") }
        #expect(throws: AWSError.self) { try parameters.int("NaN") }
        #expect(throws: AWSError.missingParameter("KeyName")) { try parameters.required("KeyName") }
    }
}
