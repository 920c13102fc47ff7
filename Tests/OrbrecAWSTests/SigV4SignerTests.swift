import Foundation
import OrbrecAWS
import OrbrecCore
import Testing

/// The published AWS SigV4 test suite (aws-sig-v4-test-suite: get-vanilla,
/// get-vanilla-query-order-key-case, post-x-www-form-urlencoded), the signing-key example of
/// the AWS documentation, and an EC2 Query request signed by botocore for comparison.
@Suite struct SigV4SignerTests {
    static let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    /// 2015-08-30T12:36:00Z, the suite's time.
    static let suiteTime = Instant(millisecondsSinceEpoch: 1_440_938_160_000)

    func authorization(_ request: SigV4Signer.Request, service: String = "service") -> String {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: service)
        return signer.sign(request, at: Self.suiteTime).first { $0.0 == "Authorization" }?.1 ?? ""
    }

    @Test func getVanilla() {
        let value = authorization(.init(method: "GET", headers: [("Host", "example.amazonaws.com")]))
        #expect(value == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test func getVanillaQueryOrderKeyCase() {
        let value = authorization(.init(method: "GET", query: [("Param2", "value2"), ("Param1", "value1")],
                                        headers: [("Host", "example.amazonaws.com")]))
        #expect(value.hasSuffix("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"))
    }

    @Test func postFormURLEncoded() {
        let value = authorization(.init(method: "POST", headers: [("Host", "example.amazonaws.com"),
                                                                  ("Content-Type", "application/x-www-form-urlencoded")],
                                        body: Array("Param1=value1".utf8)))
        #expect(value.contains("SignedHeaders=content-type;host;x-amz-date"))
        #expect(value.hasSuffix("Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"))
    }

    @Test func signingKeyOfTheDocumentation() {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "iam")
        let key = signer.signingKeyBytes(day: "20120215")
        #expect(key.map { String(format: "%02x", $0) }.joined() == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
    }

    @Test func ec2QueryRequestMatchesBotocore() {
        let value = authorization(.init(method: "POST", headers: [("Host", "127.0.0.1:5055"),
                                                                  ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                                        body: Array("Action=DescribeInstances&Version=2016-11-15".utf8)), service: "ec2")
        #expect(value == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-date, Signature=99df15ca8832bbbe71f45722aeb39bb0bfc41a907c997615939e21e90049d752")
    }

    @Test func aSessionTokenIsSentAndSigned() {
        var credentials = Self.credentials
        credentials.sessionToken = "token-123"
        let headers = SigV4Signer(credentials: credentials, region: "us-east-1", service: "ec2")
            .sign(.init(method: "GET", headers: [("Host", "example.amazonaws.com")]), at: Self.suiteTime)
        #expect(headers.contains { $0 == ("X-Amz-Security-Token", "token-123") })
        #expect(headers.first { $0.0 == "Authorization" }?.1.contains("SignedHeaders=host;x-amz-date;x-amz-security-token") == true)
    }

    @Test(arguments: [(Int64(0), "19700101T000000Z"), (951_782_400, "20000229T000000Z"), (1_795_532_487, "20261124T150127Z")])
    func timestampsAreUTC(seconds: Int64, expected: String) {
        let headers = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "ec2")
            .sign(.init(method: "GET", headers: [("Host", "h")]), at: Instant(millisecondsSinceEpoch: seconds * 1000))
        #expect(headers.first?.1 == expected)
    }

    @Test func theSecretNeverShowsInADescription() {
        let text = "\(Self.credentials) \(String(reflecting: Self.credentials))"
        #expect(!text.contains(Self.credentials.secretAccessKey))
        #expect(text.contains("AKIDEXAMPLE"))
    }
}

@Suite struct CredentialSourceTests {
    func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("credentials-\(UUID().uuidString)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theEnvironmentComesFirst() throws {
        let credentials = try CredentialSource.resolve(profile: nil, environment: [
            "AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "secret-env", "AWS_SESSION_TOKEN": "tok"])
        #expect(credentials == AWSCredentials(accessKeyID: "AKIAENV", secretAccessKey: "secret-env", sessionToken: "tok"))
    }

    @Test func aProfileIsReadFromTheSharedFile() throws {
        let path = try file("""
            # comment
            [default]
            aws_access_key_id = AKIADEFAULT
            aws_secret_access_key = secret-default

            [profile ci]
            aws_access_key_id=AKIACI
            aws_secret_access_key=secret-ci
            """)
        let ci = try CredentialSource.resolve(profile: "ci", environment: ["AWS_SHARED_CREDENTIALS_FILE": path, "AWS_ACCESS_KEY_ID": "ignored"])
        #expect(ci.accessKeyID == "AKIACI")
        let fromEnvironment = try CredentialSource.resolve(profile: nil, environment: ["AWS_SHARED_CREDENTIALS_FILE": path, "AWS_PROFILE": "default"])
        #expect(fromEnvironment.secretAccessKey == "secret-default")
    }

    @Test func aMissingProfileSaysWhichExistWithoutSecrets() throws {
        let path = try file("[default]\naws_access_key_id = AKIAX\naws_secret_access_key = do-not-print\n")
        #expect {
            try CredentialSource.resolve(profile: "nope", environment: ["AWS_SHARED_CREDENTIALS_FILE": path])
        } throws: { error in
            let text = "\(error)"
            return text.contains("profile 'nope'") && text.contains("default") && !text.contains("do-not-print")
        }
    }
}
