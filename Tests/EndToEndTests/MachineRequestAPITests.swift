import Foundation
import NIOHTTP1
import OrbrecTestSupport
import Testing

/// Machine requests as a client of the Open Resource Broker's REST API and MCP tools makes them,
/// against a real `orbrec run` over real HTTP, with real machine processes.
@Suite("Machine requests over the API and MCP", .serialized)
struct MachineRequestAPITests {
    static let token = "machine-request-api-token-0123456789"

    static func writeTemplate(_ h: Harness, maxMachines: Int = 3) throws {
        try h.write("base.yaml", """
            apiVersion: orbrec/v1
            kind: Provider
            metadata: {name: here}
            spec: {type: local}
            ---
            apiVersion: orbrec/v1
            kind: Template
            metadata: {name: sleeper}
            spec: {provider: here, command: ["sleep", "300"], stopTimeout: 2s, maxMachines: \(maxMachines)}
            """)
    }

    static func post(_ daemon: DaemonProcess, _ path: String, _ body: String, key: String? = nil) async throws -> DaemonProcess.Reply {
        try await daemon.request(.POST, path, token: token, headers: key.map { [("Idempotency-Key", $0)] } ?? [], body: body)
    }

    /// `STATUS CODE`, as `409 over-limit`: the status and the error's code together.
    static func outcome(_ reply: DaemonProcess.Reply) -> String {
        let code = ((try? reply.object())?["error"] as? [String: Any])?["code"] as? String
        return "\(reply.status) \(code ?? "-")"
    }

    static func machines(_ document: [String: Any]) -> [[String: Any]] { document["machines"] as? [[String: Any]] ?? [] }

    @Test("REST: request with an Idempotency-Key, follow it to complete, return one machine for good; refusals and templates",
          arguments: TestStateBackend.allCases)
    func restRequestFollowReturn(_ backend: TestStateBackend) async throws {
        let h = try Harness(backend: backend)
        try Self.writeTemplate(h)
        let daemon = try h.startDaemon(environment: ["ORBREC_TOKEN": Self.token])
        defer { _ = try? daemon.stop() }
        _ = try await daemon.eventually("ready") { try await daemon.get("/readyz").status == 200 ? true : nil }

        // The templates, in ORB's words, with the room maxMachines leaves.
        let templates = try await daemon.get("/api/v1/templates")
        #expect(templates.status == 200, "\(templates.body)")
        let listed = try #require((try templates.object()["templates"] as? [[String: Any]])?.first, "\(templates.body)")
        #expect(listed["template_id"] as? String == "sleeper")
        #expect(listed["provider"] as? String == "here" && listed["provider_type"] as? String == "local", "\(listed)")
        #expect(listed["max_number"] as? Int == 3 && listed["available"] as? Int == 3, "\(listed)")
        let attributes = listed["attributes"] as? [String: Any] ?? [:]
        #expect((attributes["ncpus"] as? Int ?? 0) >= 1 && (attributes["mem"] as? Int ?? 0) > 0, "a local template offers this host's: \(listed)")
        let one = try await daemon.get("/api/v1/templates/sleeper")
        let oneName = try one.object()["template_id"] as? String
        #expect(one.status == 200 && oneName == "sleeper", "\(one.body)")
        let noTemplate = try await daemon.get("/api/v1/templates/nope")
        #expect(Self.outcome(noTemplate) == "404 unknown-template", "\(noTemplate.body)")

        // A request: 202 with its id at once; the same key answers the same request and makes nothing more.
        let body = #"{"template_id": "sleeper", "count": 2}"#
        let first = try await Self.post(daemon, "/api/v1/machines/request", body, key: "order-1")
        #expect(first.status == 202, "\(first.body)")
        let id = try #require(try first.object()["request_id"] as? String, "\(first.body)")
        #expect(id.hasPrefix("req-"))
        #expect(try first.object()["template_id"] as? String == "sleeper")
        #expect(try first.object()["requested_count"] as? Int == 2)
        let follow = (try first.object()["next_actions"] as? [[String: Any]])?.first
        #expect(follow?["action"] as? String == "get" && follow?["path"] as? String == "/api/v1/requests/\(id)", "what to call next: \(first.body)")
        let again = try await Self.post(daemon, "/api/v1/machines/request", body, key: "order-1")
        let againID = try again.object()["request_id"] as? String
        #expect(again.status == 202 && againID == id, "\(again.body)")
        let reused = try await Self.post(daemon, "/api/v1/machines/request", #"{"template_id": "sleeper", "count": 1}"#, key: "order-1")
        #expect(Self.outcome(reused) == "409 idempotency_key_reused", "\(reused.body)")

        // Followed until complete: two machines, each with an address and a launch time.
        let done = try await daemon.eventually("the request to complete", timeout: 30) { () -> [String: Any]? in
            let reply = try await daemon.get("/api/v1/requests/\(id)")
            let document = try reply.object()
            return document["status"] as? String == "complete" ? document : nil
        }
        #expect(done["request_id"] as? String == id && done["request_type"] as? String == "provision", "\(done)")
        #expect(done["id"] as? String == id && done["kind"] as? String == "provision" && done["target"] as? Int == 2, "orbrec's fields too: \(done)")
        let machines = Self.machines(done)
        #expect(machines.count == 2, "\(done)")
        for machine in machines {
            #expect(machine["result"] as? String == "succeed" && machine["status"] as? String == "running", "\(machine)")
            #expect((machine["hostname"] as? String)?.isEmpty == false, "\(machine)")
            #expect((machine["private_ip_address"] as? String)?.isEmpty == false, "\(machine)")
            #expect((machine["launch_time"] as? Int ?? 0) > 1_700_000_000, "\(machine)")
        }
        let stateID = try h.stateID()
        #expect(Set(h.machineProcesses(stateID: stateID).keys) == Set(machines.compactMap { $0["machine_id"] as? String }))
        let listedMachines = try await daemon.get("/api/v1/machines").array()
        #expect(listedMachines.filter { $0["fleet"] as? String == id && ($0["hostname"] as? String)?.isEmpty == false }.count == 2,
                "GET /machines carries the addresses: \(listedMachines)")
        let room = try await daemon.get("/api/v1/templates/sleeper").object()
        #expect(room["available"] as? Int == 1 && room["in_use"] as? Int == 2, "the request counts against maxMachines: \(room)")

        // Refusals, with nothing journaled: over maxMachines, an unknown template, bad bodies.
        let over = try await Self.post(daemon, "/api/v1/machines/request", #"{"template_id": "sleeper", "count": 2}"#)
        #expect(Self.outcome(over) == "409 over-limit", "\(over.body)")
        let unknown = try await Self.post(daemon, "/api/v1/machines/request", #"{"template_id": "nope", "count": 1}"#)
        #expect(Self.outcome(unknown) == "404 unknown-template", "\(unknown.body)")
        for (hostile, code) in [(#"{"template_id": "sleeper", "count": 0}"#, "invalid-count"),
                                (#"{"template_id": "sleeper", "count": -3}"#, "invalid-count"),
                                (#"{"template_id": "sleeper", "count": 99999999999999999999}"#, "invalid-count"),
                                (#"{"template_id": "sleeper", "count": "2"}"#, "invalid-count"),
                                (#"{"template_id": "sleeper", "count": true}"#, "invalid-count"),
                                (#"{"template_id": "sleeper", "count": 1.5}"#, "invalid-count"),
                                (#"{"template_id": 7, "count": 1}"#, "bad-request"),
                                (#"{"template_id": "sleeper", "count": 1, "extra": 1}"#, "unknown-field"),
                                (#"[1, 2]"#, "bad-request"), ("not json", "bad-request")] {
            let reply = try await Self.post(daemon, "/api/v1/machines/request", hostile)
            #expect(Self.outcome(reply) == "400 \(code)", "\(hostile): \(reply.body)")
        }
        let noToken = try await daemon.request(.POST, "/api/v1/machines/request", body: body)
        #expect(noToken.status == 401)
        #expect(try await daemon.get("/api/v1/requests/req-nope").status == 404)

        // A return: one machine goes and is not replaced; the request keeps the other.
        let victim = try #require(machines.first?["machine_id"] as? String)
        let returned = try await Self.post(daemon, "/api/v1/machines/return", "{\"machine_ids\": [\"\(victim)\"]}")
        #expect(returned.status == 202, "\(returned.body)")
        let returnID = try #require(try returned.object()["request_id"] as? String, "\(returned.body)")
        #expect(returnID.hasPrefix("ret-"))
        #expect(try returned.object()["machine_ids"] as? [String] == [victim])
        let twice = try await Self.post(daemon, "/api/v1/machines/return", "{\"machine_ids\": [\"\(victim)\"]}")
        #expect(Self.outcome(twice) == "409 already-returning", "\(twice.body)")
        let nobody = try await Self.post(daemon, "/api/v1/machines/return", #"{"machine_ids": ["sleeper-nope"]}"#)
        #expect(Self.outcome(nobody) == "404 unknown-machine", "\(nobody.body)")
        for hostile in [#"{"machine_ids": []}"#, #"{"machine_ids": "x"}"#, #"{"machine_ids": [1]}"#, #"{}"#] {
            let reply = try await Self.post(daemon, "/api/v1/machines/return", hostile)
            #expect(reply.status == 400, "\(hostile): \(reply.status) \(reply.body)")
        }
        let returnDone = try await daemon.eventually("the return to complete", timeout: 30) { () -> [String: Any]? in
            let document = try await daemon.get("/api/v1/requests/\(returnID)").object()
            return document["status"] as? String == "complete" ? document : nil
        }
        #expect(returnDone["request_type"] as? String == "return", "\(returnDone)")
        #expect(Self.machines(returnDone).map { $0["result"] as? String } == ["succeed"], "\(returnDone)")
        _ = try await daemon.eventually("the returned machine's process to end") {
            h.machineProcesses(stateID: stateID)[victim] == nil ? true : nil
        }
        // Not replaced: passes go by (POST /reconcile asks for one) and the request keeps one machine.
        #expect(try await daemon.request(.POST, "/api/v1/reconcile", token: Self.token).status == 202)
        try await Task.sleep(for: .seconds(2))
        #expect(h.machineProcesses(stateID: stateID).count == 1, "\(h.machineProcesses(stateID: stateID))")
        let kept = try await daemon.get("/api/v1/requests/\(id)").object()
        let held = Self.machines(kept).filter { $0["status"] as? String == "running" }
        #expect(held.count == 1 && held.first?["machine_id"] as? String != victim, "\(kept)")
        #expect(kept["status"] as? String == "complete", "\(kept)")
        let result = try daemon.stop()
        #expect(result.status == 0, "\(result.stderr.suffix(2000))")
    }

    @Test("Requests sent at once are admitted one at a time: exactly what maxMachines allows, and the daemon keeps planning")
    func concurrentRequestsNeverOvershootMaxMachines() async throws {
        let h = try Harness()
        try Self.writeTemplate(h, maxMachines: 3)
        let daemon = try h.startDaemon(environment: ["ORBREC_TOKEN": Self.token])
        defer { _ = try? daemon.stop() }
        _ = try await daemon.eventually("ready") { try await daemon.get("/readyz").status == 200 ? true : nil }
        let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask { Self.outcome(try await Self.post(daemon, "/api/v1/machines/request", #"{"template_id": "sleeper", "count": 1}"#)) }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == "202 -" }.count == 3, "\(outcomes)")
        #expect(outcomes.filter { $0 == "409 over-limit" }.count == 5, "\(outcomes)")
        let stateID = try h.stateID()
        _ = try await daemon.eventually("three machines", timeout: 30) { h.machineProcesses(stateID: stateID).count == 3 ? true : nil }
        try await Task.sleep(for: .seconds(1))
        let ready = try await daemon.get("/readyz")
        #expect(ready.status == 200, "no plan fails for a limit overshot: \(ready.body)")
        #expect(h.machineProcesses(stateID: stateID).count == 3)
    }

    @Test("A follower of a shared state refuses requests and returns (503 not-leader, over REST and MCP) and serves their reads")
    func aFollowerRefusesWritesAndServesReads() async throws {
        let h = try Harness(backend: .postgres)
        try Self.writeTemplate(h)
        let daemons = try (0..<2).map { _ in try h.startDaemon(["--leader-ttl", "3s"], environment: ["ORBREC_TOKEN": Self.token]) }
        defer { for daemon in daemons { _ = try? daemon.stop() } }
        let leader = try await daemons[0].eventually("one daemon to lead", timeout: 15) { () -> DaemonProcess? in
            for daemon in daemons where (try? await daemon.get("/readyz").object())?["role"] as? String == "leader" { return daemon }
            return nil
        }
        let follower = try #require(daemons.first { $0 !== leader })
        _ = try await follower.eventually("the other to follow") {
            (try? await follower.get("/readyz").object())?["role"] as? String == "follower" ? true : nil
        }
        let body = #"{"template_id": "sleeper", "count": 1}"#
        #expect(Self.outcome(try await Self.post(follower, "/api/v1/machines/request", body)) == "503 not-leader")
        #expect(Self.outcome(try await Self.post(follower, "/api/v1/machines/return", #"{"machine_ids": ["x"]}"#)) == "503 not-leader")
        let message: [String: Any] = ["jsonrpc": "2.0", "id": 1, "method": "tools/call",
                                      "params": ["name": "request_machines", "arguments": ["template_id": "sleeper", "count": 1]]]
        let mcp = try await follower.request(.POST, "/mcp", token: Self.token,
                                             headers: [("Accept", "application/json, text/event-stream"), ("MCP-Protocol-Version", "2025-06-18")],
                                             body: String(decoding: try JSONSerialization.data(withJSONObject: message), as: UTF8.self))
        #expect(mcp.body.contains("not-leader"), "\(mcp.body)")

        let asked = try await Self.post(leader, "/api/v1/machines/request", body)
        #expect(asked.status == 202, "\(asked.body)")
        let id = try #require(try asked.object()["request_id"] as? String)
        let seen = try await follower.eventually("the request through the follower", timeout: 30) { () -> [String: Any]? in
            let document = try await follower.get("/api/v1/requests/\(id)").object()
            return document["status"] as? String == "complete" ? document : nil
        }
        #expect(Self.machines(seen).count == 1, "\(seen)")
        let room = try await follower.get("/api/v1/templates/sleeper").object()
        #expect(room["available"] as? Int == 2, "\(room)")
        #expect(h.machineProcesses(stateID: try h.stateID()).count == 1)
    }

    @Test("REST: a request made by a plan's action still answers with orbrec's fields, and ORB's beside them")
    func planRequestsKeepTheirFields() async throws {
        let h = try Harness()
        try h.writeFleet(count: 1)
        let daemon = try h.startDaemon()
        defer { _ = try? daemon.stop() }
        let action = try await daemon.eventually("the provision action to succeed") {
            try await daemon.actions().first { $0["verb"] as? String == "provision" && $0["state"] as? String == "succeeded" }
        }
        let requestID = try #require(action["request"] as? String)
        let document = try await daemon.get("/api/v1/requests/\(requestID)").object()
        #expect(document["id"] as? String == requestID && document["request_id"] as? String == requestID, "\(document)")
        #expect(document["resource"] as? String == "Fleet/workers" && document["action"] as? String == action["id"] as? String, "\(document)")
        #expect(document["fulfilled"] as? Int == 1 && document["target"] as? Int == 1 && document["updated_at"] is Int, "\(document)")
        let machine = try #require(Self.machines(document).first)
        #expect(machine["id"] as? String == machine["machine_id"] as? String && machine["state"] is String, "\(machine)")
    }

    @Test("MCP over the daemon's /mcp: templates, a request followed to complete, a return; the same refusals")
    func mcpOverTheDaemon() async throws {
        let h = try Harness()
        try Self.writeTemplate(h)
        let daemon = try h.startDaemon(environment: ["ORBREC_TOKEN": Self.token])
        defer { _ = try? daemon.stop() }
        _ = try await daemon.eventually("ready") { try await daemon.get("/readyz").status == 200 ? true : nil }
        var next = 0
        func call(_ tool: String, _ arguments: [String: Any]) async throws -> (isError: Bool, body: [String: Any]) {
            next += 1
            let message: [String: Any] = ["jsonrpc": "2.0", "id": next, "method": "tools/call", "params": ["name": tool, "arguments": arguments]]
            let reply = try await daemon.request(.POST, "/mcp", token: Self.token,
                                                 headers: [("Accept", "application/json, text/event-stream"), ("MCP-Protocol-Version", "2025-06-18")],
                                                 body: String(decoding: try JSONSerialization.data(withJSONObject: message), as: UTF8.self))
            let result = try #require(try reply.object()["result"] as? [String: Any], "\(tool): \(reply.body)")
            let text = (result["content"] as? [[String: Any]])?.first?["text"] as? String ?? ""
            return (result["isError"] as? Bool ?? false, try h.json(text))
        }

        let templates = try await call("list_templates", [:])
        #expect(!templates.isError && (templates.body["templates"] as? [[String: Any]])?.first?["template_id"] as? String == "sleeper",
                "\(templates.body)")
        let template = try await call("get_template", ["template_id": "sleeper"])
        #expect(template.body["max_number"] as? Int == 3, "\(template.body)")
        #expect(try await call("get_template", ["template_id": "nope"]).body.errorCode == "unknown-template")

        let asked = try await call("request_machines", ["template_id": "sleeper", "count": 2])
        #expect(!asked.isError, "\(asked.body)")
        let id = try #require(asked.body["request_id"] as? String, "\(asked.body)")
        let done = try await daemon.eventually("the request to complete over MCP", timeout: 30) { () -> [String: Any]? in
            let status = try await call("get_request_status", ["request_ids": [id]])
            let report = (status.body["requests"] as? [[String: Any]])?.first ?? [:]
            return report["status"] as? String == "complete" ? report : nil
        }
        let machines = Self.machines(done)
        #expect(machines.count == 2 && machines.allSatisfy { ($0["private_ip_address"] as? String)?.isEmpty == false }, "\(done)")
        #expect(try await call("request_machines", ["template_id": "sleeper", "count": 2]).body.errorCode == "over-limit")
        #expect(try await call("request_machines", ["template_id": "nope", "count": 1]).body.errorCode == "unknown-template")
        #expect(try await call("request_machines", ["template_id": "sleeper", "count": 0]).body.errorCode == "invalid-count")
        #expect(try await call("get_request_status", ["request_ids": ["req-nope"]]).body.errorCode == "unknown-request")

        let victim = try #require(machines.first?["machine_id"] as? String)
        let returned = try await call("return_machines", ["machine_ids": [victim]])
        let returnID = try #require(returned.body["request_id"] as? String, "\(returned.body)")
        #expect(try await call("return_machines", ["machine_ids": [victim]]).body.errorCode == "already-returning")
        #expect(try await call("return_machines", ["machine_ids": ["nope"]]).body.errorCode == "unknown-machine")
        _ = try await daemon.eventually("the return to complete over MCP", timeout: 30) { () -> Bool? in
            let status = try await call("get_request_status", ["request_ids": [returnID]])
            return (status.body["requests"] as? [[String: Any]])?.first?["status"] as? String == "complete" ? true : nil
        }
        let stateID = try h.stateID()
        _ = try await daemon.eventually("one machine left") { h.machineProcesses(stateID: stateID).count == 1 ? true : nil }
        #expect(h.machineProcesses(stateID: stateID)[victim] == nil)
    }

    @Test("MCP over stdio, no daemon: the tools journal and carry out requests themselves")
    func mcpOverStandardIO() throws {
        let h = try Harness()
        try Self.writeTemplate(h, maxMachines: 2)
        let client = try h.startMCP()
        _ = try client.initialize()
        let tools = Set(((try client.request("tools/list")["tools"]) as? [[String: Any]] ?? []).compactMap { $0["name"] as? String })
        #expect(tools.isSuperset(of: ["list_templates", "get_template", "request_machines", "get_request_status", "return_machines"]), "\(tools)")
        let listed = try client.call("list_templates")
        #expect((listed.body["templates"] as? [[String: Any]])?.first?["available"] as? Int == 2, "\(listed.body)")

        let asked = try client.call("request_machines", ["template_id": "sleeper", "count": 1, "idempotency_key": "k-1"])
        #expect(!asked.isError, "\(asked.body)")
        let id = try #require(asked.body["request_id"] as? String)
        let replayed = try client.call("request_machines", ["template_id": "sleeper", "count": 1, "idempotency_key": "k-1"])
        #expect(replayed.body["request_id"] as? String == id, "\(replayed.body)")
        var report: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(30)
        repeat {
            report = (try client.call("get_request_status", ["request_ids": [id]]).body["requests"] as? [[String: Any]])?.first ?? [:]
            if report["status"] as? String == "complete" { break }
            Thread.sleep(forTimeInterval: 0.3)
        } while Date() < deadline
        #expect(report["status"] as? String == "complete", "\(report)")
        let stateID = try h.stateID()
        #expect(h.machineProcesses(stateID: stateID).count == 1)
        #expect(try client.call("request_machines", ["template_id": "sleeper", "count": 2]).errorCode == "over-limit")

        let victim = try #require(Self.machines(report).first?["machine_id"] as? String)
        let returned = try client.call("return_machines", ["machine_ids": [victim]])
        #expect(!returned.isError, "\(returned.body)")
        let gone = Date().addingTimeInterval(15)
        while !h.machineProcesses(stateID: stateID).isEmpty && Date() < gone { Thread.sleep(forTimeInterval: 0.2) }
        #expect(h.machineProcesses(stateID: stateID).isEmpty, "returned by the tool call itself, with no daemon")
        let result = try client.close()
        #expect(result.status == 0, "\(client.stderr)")
    }
}

extension Dictionary where Key == String, Value == Any {
    /// A tool failure's `error.code`.
    var errorCode: String? { (self["error"] as? [String: Any])?["code"] as? String }
}
