import Foundation
import OrbrecHostFactory
import Testing

/// The documents of HostFactory's provider plugin interface against the examples of IBM's
/// README (IBMSpectrumComputing/cloud-provider-plugins) and Symphony 7.3.2's reference, and
/// against what the Open Resource Broker 1.8.5's scripts printed (Fixtures/orb-1.8.5).
struct HostFactoryDocumentTests {
    func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func fixture(_ name: String) throws -> String {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/orb-1.8.5")
        return try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func templatesAsIBMWritesThem() throws {
        let templates = try decode(HostFactoryTemplates.self, """
            { "templates": [ { "templateId": "Template-VM-1", "maxNumber": 200, "attributes": { "mem": [ "Numeric", "8192" ],
              "ncpus": [ "Numeric", "1" ], "zone": [ "String", "asiasoutheast" ], "azurehost": [ "Boolean", "1" ],
              "ncores": [ "Numeric", "1" ], "type": [ "String", "X86_64" ] }, "instanceTags": "group=LSF2"} ] }
            """)
        let template = try #require(templates.templates.first)
        #expect(template.templateId == "Template-VM-1")
        #expect(template.maxNumber == 200)
        #expect(template.attributes["mem"] == .numeric(8192))
        #expect(template.attributes["type"] == .string("X86_64"))
        #expect(template.attributes["azurehost"] == .boolean(true))
        #expect(template.instanceTags == "group=LSF2")
        let written = try encode(HostFactoryTemplates(templates: [
            HostFactoryTemplate(templateId: "small", maxNumber: 4, attributes: ["ncpus": .numeric(2), "mem": .numeric(4096), "type": .string("X86_64")]),
        ]))
        #expect(written == #"{"templates":[{"attributes":{"mem":["Numeric","4096"],"ncpus":["Numeric","2"],"type":["String","X86_64"]},"maxNumber":4,"templateId":"small"}]}"#)
        #expect(try decode(HostFactoryTemplates.self, written).templates.first?.attributes["ncpus"] == .numeric(2))
    }

    @Test func requestMachinesInAndOut() throws {
        let input = try decode(HostFactoryMachineRequest.self, #"{ "template": { "templateId": "Template-VM-1", "machineCount": 1 }, "rc_account": "default", "userData": { } }"#)
        #expect(input.template == .init(templateId: "Template-VM-1", machineCount: 1))
        #expect(input.rcAccount == "default")
        #expect(try encode(HostFactoryMachineRequest(template: .init(templateId: "small", machineCount: 3)))
            == #"{"template":{"machineCount":3,"templateId":"small"}}"#)
        let output = try decode(HostFactoryRequestAccepted.self, #"{ "message": "RequestVM succeeded from Azure.", "requestId": "c95595c4-0c07-4eb2-8c0c-94f364ac8e76" }"#)
        #expect(output == HostFactoryRequestAccepted(requestId: "c95595c4-0c07-4eb2-8c0c-94f364ac8e76", message: "RequestVM succeeded from Azure."))
        #expect(try decode(HostFactoryRequestAccepted.self, Self.fixture("requestMachines.out")).requestId == "req-28b4870e-bc81-4006-a8b8-c2d2d094e9c2")
    }

    @Test func returnMachinesInAndOut() throws {
        let input = try decode(HostFactoryMachineList.self, #"{ "machines": [ { "name": "host-10-1-1-36", "machineId": "4fa69d720e06c50a89fb" } ] }"#)
        #expect(input.machines == [.init(name: "host-10-1-1-36", machineId: "4fa69d720e06c50a89fb")])
        #expect(try decode(HostFactoryMachineList.self, "{}").machines.isEmpty, "getReturnRequests may be given an empty object")
        #expect(try encode(HostFactoryMachineList(machines: [.init(name: "hostskFVtVRMki")])) == #"{"machines":[{"name":"hostskFVtVRMki"}]}"#)
        let output = try decode(HostFactoryRequestAccepted.self, #"{ "message": "Request to terminate instances successful.", "requestId": "5f6a3f07-840e-4fa6-9d72-0e06c50a89fb" }"#)
        #expect(output.requestId == "5f6a3f07-840e-4fa6-9d72-0e06c50a89fb")
    }

    @Test func requestStatusAsIBMWritesIt() throws {
        #expect(try encode(HostFactoryStatusQuery(requestIDs: ["7de9425e-6be8-4e50-8dc7-dbcab7ec3102"]))
            == #"{"requests":[{"requestId":"7de9425e-6be8-4e50-8dc7-dbcab7ec3102"}]}"#)
        let status = try decode(HostFactoryRequestStatus.self, """
            { "requests": [ { "status": "complete", "machines": [ { "machineId": "4e508dc7dbcab7ec3102", "name": "host-10-100-2-118",
              "result": "succeed", "status": "RUNNING", "privateIpAddress": "10.100.2.118", "rcAccount": "default", "message": "",
              "launchtime": 1494001568 } ], "requestId": "7de9425e-6be8-4e50-8dc7-dbcab7ec3102", "message": "" } ] }
            """)
        let request = try #require(status.requests.first)
        #expect(request.status == .complete && request.status.isFinished)
        #expect(request.machines == [HostFactoryRequestStatus.Machine(
            machineId: "4e508dc7dbcab7ec3102", name: "host-10-100-2-118", result: .succeed, status: "RUNNING",
            privateIpAddress: "10.100.2.118", launchtime: 1494001568, rcAccount: "default")])
        let written = try encode(HostFactoryRequestStatus(requests: [.init(requestId: "r1", status: .completeWithError, message: "1 of 2", machines: [
            .init(machineId: "i-1", name: "ip-10-0-0-1", result: .fail, status: "terminated", launchtime: 1700000000, message: "gone"),
        ])]))
        #expect(written.contains(#""status":"complete_with_error""#))
        #expect(written.contains(#""result":"fail""#))
        #expect(try decode(HostFactoryRequestStatus.self, written).requests.first?.machines.first?.launchtime == 1700000000)
    }

    @Test func requestStatusReadsWhatPluginsWriteLoosely() throws {
        let status = try decode(HostFactoryRequestStatus.self, """
            {"requests": [{"requestId": "a", "status": "RUNNING", "machines": [{"machineId": "m", "name": null, "result": "Executing",
              "launchtime": "1700000000"}]}, {"requestId": "b", "status": "running"}]}
            """)
        #expect(status.requests.map(\.status) == [.running, .running])
        #expect(status.requests[0].machines.first?.result == .executing)
        #expect(status.requests[0].machines.first?.launchtime == 1700000000)
        #expect(status.requests[0].machines.first?.name == "")
        #expect(status.requests[1].machines.isEmpty)
        #expect(throws: DecodingError.self) {
            try self.decode(HostFactoryRequestStatus.self, #"{"requests": [{"requestId": "a", "status": "finished"}]}"#)
        }
    }

    @Test func theOpenResourceBrokersAnswersAreRead() throws {
        let status = try decode(HostFactoryRequestStatus.self, Self.fixture("getRequestStatus.out"))
        #expect(status.requests.map(\.status) == [.complete, .completeWithError, .running])
        let returned = try #require(status.requests.first)
        #expect(returned.requestId.hasPrefix("ret-"))
        #expect(returned.machines.first?.result == .succeed && returned.machines.first?.status == "terminated")
        #expect(returned.machines.first?.publicIpAddress == "54.214.234.44")
        let templates = try decode(HostFactoryTemplates.self, Self.fixture("getAvailableTemplates.out"))
        #expect(templates.templates.map(\.templateId) == ["small"])
        #expect(templates.templates.first?.attributes["ncpus"] == .numeric(1))
        let reclaims = try decode(HostFactoryReturnRequests.self, Self.fixture("getReturnRequests.out"))
        #expect(reclaims.requests == [.init(machine: "10.225.13.137", gracePeriod: 300)])
    }

    @Test func returnRequestsInBothSpellings() throws {
        let symphony = try decode(HostFactoryReturnRequests.self, """
            { "status" : "complete", "message" : "Instances marked for termination retrieved successfully.",
              "requests" : [ { "gracePeriod" : 0, "machine" : "ip-16-0-1-130.ec2.internal" } ] }
            """)
        #expect(symphony.requests == [.init(machine: "ip-16-0-1-130.ec2.internal", gracePeriod: 0)])
        let lsf = try decode(HostFactoryReturnRequests.self, #"{ "requests": [ { "machine": "host-10-1-1-36", "machineId": "4fa69d720e06c50a89fb" } ] }"#)
        #expect(lsf.requests == [.init(machine: "host-10-1-1-36", machineId: "4fa69d720e06c50a89fb")])
        #expect(try decode(HostFactoryReturnRequests.self, #"{ "status": "complete", "message": "", "requests": [ ] }"#).requests.isEmpty)
        #expect(try encode(HostFactoryReturnRequests(requests: [.init(machine: "h1", gracePeriod: 120)], status: "complete", message: ""))
            == #"{"message":"","requests":[{"gracePeriod":120,"machine":"h1"}],"status":"complete"}"#)
    }

    @Test func scriptsAreNamedAsHostFactoryCallsThem() {
        #expect(HostFactoryScript.allCases.map(\.fileName) == [
            "getAvailableTemplates.sh", "requestMachines.sh", "requestReturnMachines.sh", "getRequestStatus.sh", "getReturnRequests.sh",
        ])
        #expect(HostFactoryScript.allCases.filter(\.isOptional) == [.getReturnRequests])
    }
}
