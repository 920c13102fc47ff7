import Foundation
import Glibc
import Testing

/// The EC2 side of the end-to-end tests: the real moto_server scripts/test.sh started, the
/// AWS CLI to look at it (and to change it behind orbrec's back), and the test proxy that
/// counts calls and plays an unhealthy endpoint.
extension Harness {
    /// A secret that must never show up anywhere orbrec writes.
    static let awsSecret = "orbrec-test-secret-9f8e7d6c5b4a"
    static let awsKeyID = "AKIAORBRECTEST000001"

    static func motoEndpoint() throws -> String {
        try #require(ProcessInfo.processInfo.environment["ORBREC_TEST_MOTO"],
                     "ORBREC_TEST_MOTO is not set: run the tests with scripts/test.sh, which starts moto_server")
    }

    var awsEnvironment: [String: String] {
        ["AWS_ACCESS_KEY_ID": Self.awsKeyID, "AWS_SECRET_ACCESS_KEY": Self.awsSecret, "AWS_SESSION_TOKEN": "",
         "AWS_PROFILE": "", "AWS_SHARED_CREDENTIALS_FILE": directory + "/no-credentials"]
    }

    /// An aws provider at `endpoint`, a template and fleets of it.
    func writeAWS(endpoint: String, fleets: [String: Int], providerApi: String = "RunInstances",
                  extraTemplate: String = "") throws {
        let type = providerApi == "EC2Fleet" ? "instanceTypes: {c6i.large: 2, c5.large: 1}" : "instanceType: t3.micro"
        try write("aws.yaml", """
            apiVersion: orbrec/v1
            kind: Provider
            metadata: {name: ec2}
            spec: {type: aws, region: us-east-1, endpoint: "\(endpoint)"}
            ---
            apiVersion: orbrec/v1
            kind: Template
            metadata: {name: small}
            spec:
              provider: ec2
              providerApi: \(providerApi)
              imageId: ami-0abcdef1234567890
              \(type)
              userData: "#!/bin/sh\\necho hello"
              tags: {team: cfd}
            \(extraTemplate)
            """)
        var text = ""
        for (name, count) in fleets.sorted(by: { $0.key < $1.key }) {
            text += """
                ---
                apiVersion: orbrec/v1
                kind: Fleet
                metadata: {name: \(name)}
                spec: {template: small, count: \(count), updateStrategy: {maxSurge: 2, maxUnavailable: 0}}

                """
        }
        try write("fleets.yaml", text)
    }

    @discardableResult
    func aws(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        try orbrec(arguments, environment: awsEnvironment.merging(environment) { $1 })
    }

    /// One instance as the AWS CLI sees it in moto.
    struct Instance: Hashable {
        var id: String
        var state: String
        var machine: String?
        var fleet: String?
        var action: String?
    }

    /// Every instance in moto tagged with this state's identity, through the AWS CLI.
    func instances(owner: String) throws -> [Instance] {
        let result = try awsCLI(["ec2", "describe-instances", "--filters", "Name=tag:orbrec:managed-by,Values=\(owner)", "--output", "json"])
        #expect(result.status == 0, "aws ec2 describe-instances: \(result.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        let reservations = document["Reservations"] as? [[String: Any]] ?? []
        return reservations.flatMap { ($0["Instances"] as? [[String: Any]]) ?? [] }.map { item in
            let tags = Dictionary(((item["Tags"] as? [[String: Any]]) ?? []).compactMap { tag in
                (tag["Key"] as? String).map { ($0, tag["Value"] as? String ?? "") }
            }, uniquingKeysWith: { first, _ in first })
            return Instance(id: item["InstanceId"] as? String ?? "", state: (item["State"] as? [String: Any])?["Name"] as? String ?? "",
                            machine: tags["orbrec:machine"], fleet: tags["orbrec:fleet"], action: tags["orbrec:action"])
        }
    }

    func liveInstances(owner: String) throws -> [Instance] {
        try instances(owner: owner).filter { $0.state == "pending" || $0.state == "running" }
    }

    /// The AWS CLI from moto's virtual environment, pointed at moto.
    @discardableResult
    func awsCLI(_ arguments: [String]) throws -> Result {
        let cli = try #require(ProcessInfo.processInfo.environment["ORBREC_TEST_AWS_CLI"], "ORBREC_TEST_AWS_CLI is not set: run scripts/test.sh")
        let environment = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
                           "AWS_SHARED_CREDENTIALS_FILE": directory + "/no-credentials", "AWS_CONFIG_FILE": directory + "/no-config"]
        return try runProgram(cli, ["--endpoint-url", try Self.motoEndpoint()] + arguments, environment: environment)
    }

    /// Runs any program (argv, no shell) and waits for it.
    func runProgram(_ program: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 120) throws -> Result {
        let running = try spawn(program, arguments, environment: environment)
        running.closeInput()
        return try running.wait(timeout: timeout)
    }

    /// The test proxy in front of moto (scripts/lib/ec2-proxy.py): counts calls by Action and
    /// can throttle, fail an action, or go away.
    final class Proxy {
        let running: Running
        let port: Int
        let harness: Harness
        var endpoint: String { "http://127.0.0.1:\(port)/" }

        init(_ harness: Harness, arguments: [String] = [], port requested: Int = 0) throws {
            self.harness = harness
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let portFile = harness.directory + "/proxy-\(UUID().uuidString.prefix(6)).port"
            running = try harness.spawn("/usr/bin/env", ["python3", root.path + "/scripts/lib/ec2-proxy.py", "--upstream", try Harness.motoEndpoint(),
                                                         "--port-file", portFile, "--port", String(requested)] + arguments)
            let deadline = Date().addingTimeInterval(20)
            var found: Int?
            while found == nil && Date() < deadline {
                found = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0) }
                if found == nil { usleep(50_000) }
            }
            self.port = try #require(found, "the test proxy did not start")
        }

        deinit { stop() }

        private var stopped = false

        func stop() {
            guard !stopped else { return }
            stopped = true
            kill(running.processIdentifier, SIGKILL)
            _ = try? running.wait(timeout: 10)
        }

        /// Calls seen so far, by Action, and how many were throttled.
        func stats() throws -> (calls: [String: Int], throttled: Int) {
            let answer = try harness.runProgram("/usr/bin/env", ["curl", "-s", endpoint + "_proxy/stats"])
            let document = try JSONSerialization.jsonObject(with: Data(answer.stdout.utf8)) as? [String: Any] ?? [:]
            return ((document["calls"] as? [String: Int]) ?? [:], document["throttled"] as? Int ?? 0)
        }
    }

    /// Everything orbrec wrote for this state: the SQLite files and logs, as text.
    func everythingWritten() -> String {
        var text = ""
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let path = enumerator?.nextObject() as? String {
            if let data = FileManager.default.contents(atPath: directory + "/" + path) {
                text += String(decoding: data, as: UTF8.self)
            }
        }
        return text
    }
}
