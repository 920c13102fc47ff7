import Foundation
import OrbrecAWS
import Testing

/// The real `moto_server`s that scripts/test.sh starts on 127.0.0.1 for the EC2 tests: one
/// that does not check signatures (`ORBREC_TEST_MOTO`) and one started with
/// `INITIAL_NO_AUTH_ACTION_COUNT=0`, which checks every signature (`ORBREC_TEST_MOTO_AUTH`).
/// Tests share them and stay apart by owner tag.
enum MotoServer {
    static func endpoint(_ variable: String = "ORBREC_TEST_MOTO") throws -> URL {
        let value = try #require(ProcessInfo.processInfo.environment[variable],
                                 "\(variable) is not set: run the tests with scripts/test.sh, which starts moto_server")
        return try #require(URL(string: value))
    }

    /// Calls moto's Query API as the AWS CLI would, without a valid signature (the
    /// credential scope names the service, which is how moto routes).
    @discardableResult
    static func unsignedCall(_ endpoint: URL, service: String, _ body: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl", "-s", "-X", "POST", "-H", "Content-Type: application/x-www-form-urlencoded; charset=utf-8",
                             "-H", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/\(service)/aws4_request, SignedHeaders=host, Signature=00",
                             "--data", body, endpoint.absoluteString]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// A user with an `ec2:*` policy and an access key, made in the signature-checking moto:
    /// its unauthenticated allowance is set to exactly the three IAM calls that make them,
    /// so that every later call must be signed right.
    static func createAccessKey(_ endpoint: URL) throws -> (id: String, secret: String) {
        let user = "orbrec-test-" + UUID().uuidString.prefix(8).lowercased()
        let reset = Process()
        reset.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        reset.arguments = ["curl", "-s", "-o", "/dev/null", "-X", "POST", "-H", "Content-Type: text/plain", "--data", "3", endpoint.appendingPathComponent("moto-api/reset-auth").absoluteString]
        try reset.run()
        reset.waitUntilExit()
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}"#
        let encodedPolicy = policy.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? policy
        try unsignedCall(endpoint, service: "iam", "Action=CreateUser&Version=2010-05-08&UserName=\(user)")
        try unsignedCall(endpoint, service: "iam", "Action=PutUserPolicy&Version=2010-05-08&UserName=\(user)&PolicyName=ec2&PolicyDocument=\(encodedPolicy)")
        let answer = try unsignedCall(endpoint, service: "iam", "Action=CreateAccessKey&Version=2010-05-08&UserName=\(user)")
        let tree = try #require(XMLTree.parse(Data(answer.utf8)), "CreateAccessKey answered: \(answer)")
        let id = try #require(tree.value("CreateAccessKeyResult/AccessKey/AccessKeyId"), "CreateAccessKey answered: \(answer)")
        let secret = try #require(tree.value("CreateAccessKeyResult/AccessKey/SecretAccessKey"))
        return (id, secret)
    }
}
