import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import OrbrecCore
import OrbrecEngine
@testable import OrbrecServer
import OrbrecStore
import OrbrecTestSupport
import Testing

/// The OpenAPI document (Sources/OrbrecServer/OpenAPI/openapi.json) against the routes, before
/// any daemon starts: the daemon's router, built as `orbrec run` builds it over a real SQLite
/// state, a reconcile loop and a local provider, is called in process for every documented
/// operation, and each answer's status and body are checked against the document. A route
/// added without its document, or a document that says what the route does not answer, fails
/// here. (schemathesis, scripts/openapi-check.sh, still exercises a running daemon in CI.)
@Suite("Server: the OpenAPI document, route by route in process", .serialized)
struct OpenAPIConformanceTests {
    let document: JSONValue
    let validator: JSONSchemaValidator
    let operations: [DocumentedOperation]

    init() throws {
        document = try JSONValue.parse(Data(OpenAPIDocument.json.utf8))
        validator = JSONSchemaValidator(document: document)
        operations = DocumentedOperation.all(in: document, validator: validator)
    }

    /// Documented, and served by the daemon, but not by these routes: `/mcp` is OrbrecMCP's,
    /// handed to APIServer by `orbrec run` (DaemonMCPTests call it over HTTP).
    static let servedElsewhere: Set<String> = ["POST /mcp"]

    /// The operations this test's state is set up for: each must succeed (2xx). Any other
    /// documented operation may also answer a documented 404 (an id this state does not hold);
    /// give it a fixture in `prepare` to have it checked on success too.
    static let mustSucceed: Set<String> = [
        "getHealth", "getReadiness", "getMetrics", "getOpenAPIDocument", "listResources", "listFleets", "listMachines", "listRequests",
        "getRequest", "listTasks", "listActions", "streamEvents", "reconcile", "claimTask", "heartbeatTask", "completeTask", "failTask",
        "releaseTask", "requestMachines", "returnMachines", "listTemplates", "getTemplate",
        "listWorkflows", "getWorkflow", "listWorkflowRuns", "startWorkflowRun", "getWorkflowRun", "cancelWorkflowRun", "getAgentCard",
        "getConsole", "getConsoleAsset", "getPlan", "requeueTasks", "whoAmI",
        "listSchedulerPartitions", "listSchedulerJobs",
        // The api pool `feed`, posted to with the document's example task (`run-7`).
        "listPoolTasks", "createTask", "getPoolTask", "cancelPoolTask", "getTaskLogs",
    ]

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteServed() async throws {
        let daemon = try InProcessDaemon()
        let registered = Set(daemon.server.makeRouter().routes.filter { $0.method != .head }.map { "\($0.method) \($0.path)" })
        await daemon.tearDown()
        let documented = Set(operations.map(\.route)).subtracting(Self.servedElsewhere)
        #expect(registered.subtracting(documented).sorted() == [], "routes missing from openapi.json")
        #expect(documented.subtracting(registered).sorted() == [], "documented in openapi.json but not routed")
        #expect(!registered.isEmpty)
    }

    @Test func everyExampleFitsItsSchema() {
        var problems: [String] = []
        var checked = 0
        for operation in operations {
            let bodies = [("request body", operation.object["requestBody"])]
                + (operation.object["responses"]?.object ?? [:]).map { ("\($0.key) answer", Optional($0.value)) }
            for (what, node) in bodies {
                guard var node else { continue }
                if let reference = node["$ref"]?.string, let target = validator.resolve(reference) { node = target }
                guard let media = node["content"]?["application/json"], let example = media["example"], let schema = media["schema"] else { continue }
                checked += 1
                problems += validator.problems(example, against: schema).map { "\(operation) \(what) example: \($0)" }
            }
        }
        #expect(problems == [])
        #expect(checked > 10)
    }

    @Test func everyDocumentedOperationAnswersAsDocumented() async throws {
        let daemon = try InProcessDaemon()
        try await daemon.loadConfiguration()
        let running = Task { await daemon.loop.run() }
        let app = Application(router: daemon.server.makeRouter())
        do {
            try await app.test(.router) { client in
                try await callEveryOperation(client, daemon)
                daemon.loop.stop()
                await running.value
            }
        } catch {
            Issue.record(error)
        }
        daemon.loop.stop()
        await running.value
        #expect(daemon.failures.all == [], "the server logged failed requests")
        await daemon.tearDown()
    }

    /// The state's fixtures: what the examples of the document cannot name.
    struct Fixtures {
        /// A machine request made through the loop, and the machine it made (returned by the test).
        var requestID: String
        var machineID: String
        /// A run of workflow `nightly`, running (its step waits on a pull pool no one claims from).
        var runID: String
    }

    func callEveryOperation(_ client: some TestClientProtocol, _ daemon: InProcessDaemon) async throws {
        let fleetRunning = try await eventually {
            guard daemon.loop.status.current.isReady else { return false }
            return try await daemon.store.machines().contains { $0.state == .running }
        }
        try #require(fleetRunning, "the fleet's machine did not run within 30 s")
        let made = try await daemon.loop.requestMachines(template: "sleeper", count: 1, actor: "test@in-process", idempotencyKey: nil)
        var machineID: String?
        _ = try await eventually {
            machineID = try await daemon.loop.requestReports([made.demand.id]).first?.machines.first { $0.state == .running }?.id
            return machineID != nil
        }
        let run = try await daemon.loop.startWorkflowRun(workflow: "nightly", actor: "test@in-process", idempotencyKey: nil).run
        let fixtures = Fixtures(requestID: made.demand.id, machineID: try #require(machineID, "the requested machine did not run within 30 s"),
                                runID: run.id)
        let check = AnswerCheck(validator: validator)

        // Streams first, read once the loop has stopped (they end then), so they carry the
        // events of every call below.
        var streams: [(DocumentedOperation, Call, Task<TestResponse, any Error>)] = []
        for operation in operations where operation.streams && !Self.servedElsewhere.contains(operation.route) {
            let call = try Call(operation, token: InProcessDaemon.token)
            streams.append((operation, call, Task { try await call.send(client) }))
        }
        var answered: Set<String> = []
        for operation in operations where !operation.streams && !Self.servedElsewhere.contains(operation.route) {
            var call = try Call(operation, token: InProcessDaemon.token)
            try await prepare(&call, for: operation, fixtures: fixtures, client: client, daemon: daemon)
            let response = try await call.send(client)
            let problems = check.problems(response, for: operation, call: call)
            #expect(problems == [], "\(operation)")
            let status = Int(response.status.code)
            if Self.mustSucceed.contains(operation.id) {
                #expect((200..<300).contains(status), "\(call) answered \(status): \(String(buffer: response.body).prefix(300))")
            } else {
                #expect((200..<300).contains(status) || (status == 404 && operation.documents(404)),
                        "\(call) answered \(status): \(String(buffer: response.body).prefix(300))")
            }
            if operation.id == "getOpenAPIDocument" { #expect(String(buffer: response.body) == OpenAPIDocument.json) }
            // The example task's attempt ran its command with the example's args (`echo fine 7`).
            if operation.id == "getTaskLogs" { #expect(String(buffer: response.body) == "fine 7\n") }
            answered.insert(operation.id)
            try await refusals(of: operation, call: call, client: client, check: check)
        }
        #expect(Self.mustSucceed.subtracting(answered).subtracting(streams.map(\.0.id)).sorted() == [],
                "operations this test sets up for are no longer documented")

        daemon.loop.stop()
        for (operation, call, stream) in streams {
            let response = try await stream.value
            #expect(check.problems(response, for: operation, call: call) == [], "\(operation)")
            #expect(response.status == .ok)
            try checkEvents(in: String(buffer: response.body), of: operation)
        }
    }

    /// Fills in what a call needs from the state: a task's lease to act on, a request made, a
    /// machine to return.
    func prepare(_ call: inout Call, for operation: DocumentedOperation, fixtures: Fixtures,
                 client: some TestClientProtocol, daemon: InProcessDaemon) async throws {
        switch operation.id {
        case "heartbeatTask", "completeTask", "failTask", "releaseTask":
            let lease = try await claim(client)
            call.pathValues["id"] = lease.id
            if case .object(var members) = call.body {
                members["token"] = .string(lease.token)
                call.body = .object(members)
            }
        case "getRequest":
            call.pathValues["id"] = fixtures.requestID
        case "returnMachines":
            call.body = .object(["machine_ids": .array([.string(fixtures.machineID)])])
        case "getWorkflowRun", "cancelWorkflowRun":
            call.pathValues["id"] = fixtures.runID
        case "listPoolTasks":
            // Called before the example task is posted (the paths are taken in order): a task
            // of its own, and no filter that would leave it out, so the page holds one to check.
            try await post(key: "listed", client)
            call.query = call.query.filter { $0.0 == "limit" }
        case "cancelPoolTask":
            // A task of its own: `run-7` is left to finish, for its output.
            try await post(key: "to-cancel", client)
            call.pathValues["key"] = "to-cancel"
        case "getPoolTask":
            // Read once it has completed, so the answer holds an attempt with its exit code and
            // the last result (a pending task has neither); its output is then there for
            // `getTaskLogs`, called after.
            let finished = try await eventually { try await daemon.store.task(pool: "feed", key: "run-7")?.state == .completed }
            try #require(finished, "task feed/run-7 did not complete within 30 s")
        default:
            break
        }
    }

    /// Posts a task to the api pool `feed` through the API, with the args its command uses.
    func post(key: String, _ client: some TestClientProtocol) async throws {
        var call = Call(method: .post, path: "/api/v1/pools/feed/tasks",
                        body: .object(["key": .string(key), "args": .object(["mesh": .string("coarse"), "seed": .string("1")])]))
        call.headers[.authorization] = "Bearer \(InProcessDaemon.token)"
        let response = try await call.send(client)
        try #require(response.status == .created, "posting task \(key) answered \(response.status.code): \(String(buffer: response.body).prefix(300))")
    }

    /// A task of the pull pool `jobs` claimed through the API (its tasks are offered by the
    /// loop's first pass over the pool).
    func claim(_ client: some TestClientProtocol) async throws -> (id: String, token: String) {
        var lease: (id: String, token: String)?
        _ = try await eventually {
            var call = Call(method: .post, path: "/api/v1/pools/jobs/claim", body: .object(["worker": .string("conformance"), "leaseSeconds": .number(600)]))
            call.headers[.authorization] = "Bearer \(InProcessDaemon.token)"
            let response = try await call.send(client)
            guard response.status == .ok, let task = try JSONValue.parse(Data(response.body.readableBytesView))["task"],
                  let id = task["id"]?.string, let token = task["token"]?.string else { return false }
            lease = (id, token)
            return true
        }
        return try #require(lease, "no task of pool jobs could be claimed within 30 s")
    }

    /// The refusals every operation documents, each checked as its answers are: without the
    /// token a POST is 401; with ids this state does not hold, an operation with path
    /// parameters answers a documented refusal, never a success or a 5xx.
    func refusals(of operation: DocumentedOperation, call: Call, client: some TestClientProtocol, check: AnswerCheck) async throws {
        if operation.method == "post" {
            var anonymous = call
            anonymous.headers[.authorization] = nil
            let response = try await anonymous.send(client)
            #expect(response.status == .unauthorized, "\(anonymous) without a token answered \(response.status.code)")
            #expect(check.problems(response, for: operation, call: anonymous) == [], "\(operation) without a token")
        }
        guard !call.pathValues.isEmpty else { return }
        var unknown = call
        for name in call.pathValues.keys { unknown.pathValues[name] = name == "id" && operation.path.hasPrefix("/api/v1/tasks/") ? "jobs:no-such-task" : "no-such-\(name)" }
        let response = try await unknown.send(client)
        let status = Int(response.status.code)
        #expect((400..<500).contains(status), "\(unknown) answered \(status): \(String(buffer: response.body).prefix(300))")
        #expect(check.problems(response, for: operation, call: unknown) == [], "\(operation) with an unknown id")
    }

    /// Every event of a Server-Sent Events stream must fit the document's `Event` schema.
    func checkEvents(in text: String, of operation: DocumentedOperation) throws {
        let data = text.split(separator: "\n").filter { $0.hasPrefix("data: ") }.map { $0.dropFirst("data: ".count) }
        #expect(!data.isEmpty, "\(operation) streamed no event: \(text.prefix(300))")
        let schema = JSONValue.object(["$ref": .string("#/components/schemas/Event")])
        for line in data {
            let event = try JSONValue.parse(Data(line.utf8))
            #expect(validator.problems(event, against: schema) == [], "\(operation): \(line)")
        }
    }
}

extension Call {
    init(method: HTTPRequest.Method, path: String, body: JSONValue? = nil) {
        self.method = method
        pathTemplate = path
        self.body = body
    }
}
