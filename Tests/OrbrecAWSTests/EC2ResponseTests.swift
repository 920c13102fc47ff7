import Foundation
import OrbrecAWS
import OrbrecCore
import Testing

/// Parsing real EC2 answers captured from moto_server (Fixtures/), and the request encoding.
/// `describe-instances-with-next-token.xml` is moto's answer with the `nextToken` AWS adds
/// when it paginates (moto does not paginate DescribeInstances).
@Suite struct EC2ResponseTests {
    static func fixture(_ name: String) throws -> Data {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name).xml")
        return try Data(contentsOf: url)
    }

    @Test func describeInstancesGivesEveryInstanceWithItsTagsAndState() throws {
        let tree = try #require(XMLTree.parse(try Self.fixture("describe-instances")))
        let page = EC2Instance.describePage(tree)
        #expect(page.instances.count == 2)
        #expect(page.nextToken == nil)
        let first = try #require(page.instances.first)
        #expect(first.instanceID.hasPrefix("i-"))
        #expect(first.instanceType == "t3.micro")
        #expect(first.tags["orbrec:managed-by"] == "st-test")
        #expect(first.tags["orbrec:machine"] == "workers-abcde")
        #expect([MachineState.pending, .running].contains(first.machineState))
        #expect(first.launchedAt > Instant(millisecondsSinceEpoch: 1_700_000_000_000))
    }

    @Test func aPaginatedAnswerCarriesItsNextToken() throws {
        let tree = try #require(XMLTree.parse(try Self.fixture("describe-instances-with-next-token")))
        #expect(EC2Instance.describePage(tree).nextToken == "token-page-2")
    }

    @Test func runInstancesListsTheLaunchedInstances() throws {
        let tree = try #require(XMLTree.parse(try Self.fixture("run-instances")))
        let launched = EC2Instance.launched(tree)
        #expect(launched.count == 2)
        #expect(Set(launched.map(\.instanceID)).count == 2)
    }

    @Test func anErrorAnswerGivesAWSsCodeAndMessage() throws {
        let error = EC2Error.parse(status: 400, body: try Self.fixture("error-invalid-instance"))
        #expect(error.code == "InvalidInstanceID.NotFound")
        #expect(error.message == "The instance ID 'i-doesnotexist0000' does not exist")
        #expect(error.requestID == "request-id")
        #expect(!error.isRetryable)
        #expect(error.providerError.code == "InvalidInstanceID.NotFound")
    }

    @Test func throttlingAndServerErrorsAreRetryableClientErrorsAreNot() {
        #expect(EC2Error(status: 503, code: "RequestLimitExceeded", message: "slow down").isRetryable)
        #expect(EC2Error(status: 503, code: "HTTP503", message: "").isRetryable)
        #expect(EC2Error(status: 500, code: "InternalError", message: "").isRetryable)
        #expect(!EC2Error(status: 400, code: "InvalidParameterValue", message: "").isRetryable)
        #expect(!EC2Error(status: 401, code: "AuthFailure", message: "").isRetryable)
        #expect(!EC2Error(status: 500, code: "InsufficientInstanceCapacity", message: "").isRetryable, "capacity is not back in a second: the machine fails, the request is partial")
    }

    @Test func aBodyThatIsNoErrorDocumentStillGivesAClearError() {
        let error = EC2Error.parse(status: 500, body: Data("<html>Internal Server Error</html>".utf8))
        #expect(error.code == "HTTP500")
        #expect(error.message.contains("Internal Server Error"))
    }

    @Test(arguments: [("pending", MachineState.pending), ("running", .running), ("stopping", .unhealthy), ("stopped", .unhealthy),
                      ("shutting-down", .lost), ("terminated", .lost)])
    func instanceStatesMapAsDesignSays(state: String, expected: MachineState) throws {
        let xml = "<r><instancesSet><item><instanceId>i-1</instanceId><instanceState><name>\(state)</name></instanceState></item></instancesSet></r>"
        let tree = try #require(XMLTree.parse(Data(xml.utf8)))
        let instance = try #require(EC2Instance.launched(tree).first)
        #expect(instance.machineState == expected)
    }

    @Test func requestsAreFormEncodedWithFlattenedLists() {
        let request = EC2Request(action: "RunInstances", parameters:
            [EC2Request.Parameter("ImageId", "ami-1"), EC2Request.Parameter("UserData", "a b+c/=")]
            + EC2Request.list("SecurityGroupId", ["sg-1", "sg-2"])
            + EC2Request.tags("TagSpecification.1.Tag", [("orbrec:fleet", "workers")]))
        #expect(request.body == "Action=RunInstances&Version=2016-11-15&ImageId=ami-1&UserData=a%20b%2Bc%2F%3D"
            + "&SecurityGroupId.1=sg-1&SecurityGroupId.2=sg-2"
            + "&TagSpecification.1.Tag.1.Key=orbrec%3Afleet&TagSpecification.1.Tag.1.Value=workers")
    }
}
