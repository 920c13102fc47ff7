import Foundation
@testable import OrbrecAWS
import OrbrecCore
import Testing

/// A machine the cloud took back is told apart from one a user or orbrec ended, by EC2's
/// `stateReason` (the answer's shape as AWS documents it for a spot interruption; moto
/// cannot interrupt a spot instance).
@Suite struct ReclaimedInstanceTests {
    func instance(state: String, reason: (code: String, message: String)?) throws -> EC2Instance {
        let stateReason = reason.map { "<stateReason><code>\($0.code)</code><message>\($0.message)</message></stateReason>" } ?? ""
        let xml = "<r><instancesSet><item><instanceId>i-0abc</instanceId><instanceType>c6i.large</instanceType>"
            + "<instanceState><name>\(state)</name></instanceState>\(stateReason)<tagSet>"
            + "<item><key>orbrec:fleet</key><value>burst</value></item><item><key>orbrec:machine</key><value>burst-a</value></item>"
            + "</tagSet></item></instancesSet></r>"
        let tree = try #require(XMLTree.parse(Data(xml.utf8)))
        return try #require(EC2Instance.launched(tree).first)
    }

    @Test func aSpotInterruptionIsLostAndReclaimedWithAWSsReason() throws {
        let interrupted = try instance(state: "terminated", reason: ("Server.SpotInstanceTermination",
                                                                     "Server.SpotInstanceTermination: Spot instance termination"))
        #expect(interrupted.stateReasonCode == "Server.SpotInstanceTermination" && interrupted.reclaimedByProvider)
        let machine = try #require(AWSProvider.machines(from: [interrupted], provider: "ec2").first)
        #expect(machine.state == .lost && machine.reclaimedByProvider)
        #expect(machine.message.contains("Spot instance termination"), "\(machine.message)")
    }

    @Test(arguments: ["Server.InsufficientInstanceCapacity", "Server.InternalError", "Server.SpotInstanceShutdown", "Server.ScheduledStop"])
    func everyServerReasonIsTheClouds(code: String) throws {
        #expect(try instance(state: "stopped", reason: (code, code)).reclaimedByProvider)
    }

    @Test(arguments: ["Client.UserInitiatedShutdown", "Client.InstanceInitiatedShutdown"])
    func aUserOrTheInstanceItselfEndingItIsNotReclaimed(code: String) throws {
        let ended = try instance(state: "terminated", reason: (code, code))
        #expect(!ended.reclaimedByProvider)
        #expect(AWSProvider.machines(from: [ended], provider: "ec2").first?.reclaimedByProvider == false)
    }

    @Test func aLiveInstanceIsNeverReclaimedWhateverItsLastReason() throws {
        #expect(!(try instance(state: "running", reason: ("Server.ScheduledStop", "stopped before"))).reclaimedByProvider)
        #expect(!(try instance(state: "running", reason: nil)).reclaimedByProvider)
    }
}
