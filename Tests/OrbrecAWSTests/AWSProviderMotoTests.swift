import Foundation
import OrbrecAWS
import OrbrecCore
import Testing

/// The EC2 adapter against a real moto_server, spoken to with signed requests.
@Suite(.serialized) struct AWSProviderMotoTests {
    struct WallClock: Clock {
        func now() -> Instant { Instant(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000)) }
    }

    let owner = "st-aws-" + UUID().uuidString.lowercased().prefix(10)

    func provider(_ endpoint: URL, secret: String = "secret", key: String = "AKIDEXAMPLE", attempts: Int = 4) -> AWSProvider {
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: key, secretAccessKey: secret), region: "us-east-1", service: "ec2")
        return AWSProvider(name: "ec2", client: EC2Client(endpoint: endpoint, signer: signer, clock: WallClock(), maxAttempts: attempts,
                                                           initialBackoff: ConfigDuration(milliseconds: 50)))
    }

    func order(_ machines: [String], action: String = "act-aws-test") -> ProvisionOrder {
        let template = TemplateSpec(metadata: Metadata(name: "small"), provider: "ec2", settings: .aws(AWSTemplateSettings(
            imageId: "ami-760aaa0f", instanceType: "t3.micro", userData: "#!/bin/sh\necho hi", tags: ["team": "cfd"])))
        return ProvisionOrder(requestID: "req-aws-test", actionID: action, owner: owner, fleet: "workers", template: template,
                              templateHash: "hash-1", machineIDs: machines)
    }

    @Test func provisionObserveAndReturnThroughTheQueryAPI() async throws {
        let provider = provider(try MotoServer.endpoint())
        let outcomes = await provider.provision(order(["workers-a", "workers-b", "workers-c"]))
        #expect(outcomes.allSatisfy { $0.succeeded && ($0.providerID ?? "").hasPrefix("i-") }, "\(outcomes)")

        let machines = try await provider.machines(ownedBy: owner)
        #expect(machines.map(\.id) == ["workers-a", "workers-b", "workers-c"])
        #expect(machines.allSatisfy { $0.fleet == "workers" && $0.template == "small" && $0.templateHash == "hash-1" && $0.actionID == "act-aws-test" })
        #expect(machines.allSatisfy { $0.state.isLive })
        #expect(try await provider.machines(ownedBy: "someone-else").isEmpty, "ownership is by tag")

        let returned = await provider.returnMachines(ReturnOrder(requestID: "ret-aws-test", actionID: "act-aws-ret", owner: owner,
                                                                 machines: machines.map { .init(id: $0.id, providerID: $0.providerID) }))
        #expect(returned.allSatisfy { $0.succeeded })
        let after = try await provider.machines(ownedBy: owner)
        #expect(after.allSatisfy { $0.state == .lost }, "terminated instances are seen as lost: \(after.map(\.state))")
        let again = await provider.returnMachines(ReturnOrder(requestID: "ret-2", actionID: "act-2", owner: owner,
                                                              machines: [.init(id: "workers-a", providerID: "i-0000000000000dead")]))
        #expect(again.allSatisfy { $0.succeeded }, "returning what is already gone succeeds")
        #expect(provider.client.calls.count >= 5)
    }

    @Test func observationFollowsPagesToTheEnd() async throws {
        let provider = provider(try MotoServer.endpoint())
        let machines = (1...12).map { String(format: "workers-%02d", $0) }
        let outcomes = await provider.provision(order(machines, action: "act-aws-pages"))
        #expect(outcomes.allSatisfy { $0.succeeded })
        let paged = AWSProvider(name: "ec2", client: provider.client, pageSize: 5)
        let before = provider.client.calls.count
        let seen = try await paged.machines(ownedBy: owner)
        #expect(seen.map(\.id) == machines, "every page read")
        #expect(provider.client.calls.count - before == 3, "12 instances in pages of 5 take 3 calls")
        _ = await provider.returnMachines(ReturnOrder(requestID: "ret-pages", actionID: "act-ret-pages", owner: owner,
                                                      machines: seen.map { .init(id: $0.id, providerID: $0.providerID) }))
    }

    @Test func aClientErrorIsReportedWithAWSsCodeAndNotRetried() async throws {
        let client = provider(try MotoServer.endpoint()).client
        await #expect {
            _ = try await client.send(EC2Request(action: "DescribeInstances", parameters: EC2Request.list("InstanceId", ["i-bogus"])))
        } throws: { error in
            let failure = error as? EC2Error
            return failure?.code == "InvalidInstanceID.NotFound" && failure?.status == 400 && failure?.message.contains("i-bogus") == true
        }
        #expect(client.calls.count == 1, "a client error is not retried")
    }

    @Test func anUnreachableEndpointEndsInAClearRetriedFailure() async throws {
        let port = try Self.closedPort()
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"), region: "us-east-1", service: "ec2")
        let client = EC2Client(endpoint: URL(string: "http://127.0.0.1:\(port)/")!, signer: signer, clock: WallClock(), maxAttempts: 3,
                               initialBackoff: ConfigDuration(milliseconds: 20))
        let provider = AWSProvider(name: "ec2", client: client)
        await #expect {
            _ = try await provider.machines(ownedBy: owner)
        } throws: { error in
            let failure = error as? ProviderError
            return failure?.code == "EndpointUnreachable" && failure?.retryable == true
                && (failure?.message.contains("127.0.0.1:\(port)") ?? false)
        }
        #expect(client.calls.count == 3, "retried, then failed")
    }

    @Test func aKeyMadeInMotoWorksAndAWrongSecretIsRefusedWithAuthFailure() async throws {
        let endpoint = try MotoServer.endpoint("ORBREC_TEST_MOTO_AUTH")
        let key = try MotoServer.createAccessKey(endpoint)
        let good = provider(endpoint, secret: key.secret, key: key.id)
        #expect(try await good.machines(ownedBy: owner).isEmpty, "a key created in moto works")
        let bad = provider(endpoint, secret: "wrong-secret-value", key: key.id)
        await #expect {
            _ = try await bad.machines(ownedBy: owner)
        } throws: { error in
            let text = "\(error)"
            return (error as? ProviderError)?.code == "AuthFailure" && !text.contains("wrong-secret-value") && !text.contains(key.secret)
                && (error as? ProviderError)?.retryable == false
        }
        #expect(bad.client.calls.count == 1, "an auth failure is not retried")
    }

    /// A port on 127.0.0.1 where nothing listens: bound, then closed.
    static func closedPort() throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try #require(Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
    }
}
