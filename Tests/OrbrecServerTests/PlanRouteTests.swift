import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import OrbrecAPI
import OrbrecCore
import OrbrecEngine
import OrbrecStore
@testable import OrbrecServer
import OrbrecTestSupport
import Testing

/// `GET /api/v1/plan` answers the plan document of `orbrec plan --json` (PlanDocument), for the
/// plan the loop's last pass left, with the daemon's `planned_at` and `policy_denials`: one
/// document, not a second description of a plan. (OpenAPIConformanceTests check its schema.)
@Suite("Server: the daemon's plan is the plan document", .serialized)
struct PlanRouteTests {
    /// A fleet of 3 under a hard-mandatory cap of 2: the first pass plans the scale-up and a
    /// policy holds it back, so the plan the route shows has actions and a denial.
    static let configuration = InProcessDaemon.configuration.replacingOccurrences(of: "spec: {template: sleeper, count: 1}",
                                                                                 with: "spec: {template: sleeper, count: 3}") + """

        ---
        apiVersion: orbrec/v1
        kind: Policy
        metadata: {name: guardrails}
        spec:
          enforcement: hard-mandatory
          rules:
            - name: fleet-size-cap
              match: {kinds: [Fleet]}
              deny: "spec.count > 2"
              message: "the cap is 2"
        """

    @Test func thePlanRouteAnswersThePlanDocumentOfTheLastPass() async throws {
        let daemon = try InProcessDaemon()
        try Self.configuration.write(toFile: daemon.directory + "/config/orbrec.yaml", atomically: true, encoding: .utf8)
        let app = Application(router: daemon.server.makeRouter())
        try await app.test(.router) { client in
            // Before any pass there is no plan to show.
            let early = try await client.execute(uri: "/api/v1/plan", method: .get, headers: [:])
            #expect(early.status == .serviceUnavailable)

            try await daemon.loadConfiguration()
            let running = Task { await daemon.loop.run() }
            let planned = await eventually { daemon.loop.status.current.plan != nil && !daemon.loop.status.current.policyDenials.isEmpty }
            // Stopped, the loop leaves its last plan where the route reads it: the answer and the
            // status below are of the same pass.
            daemon.loop.stop()
            await running.value
            try #require(planned, "no pass planned within 30 s")
            let status = daemon.loop.status.current
            let answer = try await client.execute(uri: "/api/v1/plan", method: .get, headers: [:])
            #expect(answer.status == .ok)
            let body = Data(answer.body.readableBytesView)
            let shown = String(decoding: body, as: UTF8.self).prefix(600)

            // It decodes as the plan document a saved plan is read with, and its actions as the
            // engine carries them out.
            let document = try JSONDecoder().decode(PlanDocument.self, from: body)
            #expect(document.formatVersion == PlanDocument.currentFormat)
            #expect(document.stateID == daemon.store.stateID)
            let result = try #require(status.plan)
            #expect(document.configRevision == result.plan.configRevision)
            #expect(document.configRevision == status.revision)
            let scaleUp = document.actions.first { $0.verb == "provision" && $0.resource == "Fleet/workers" }
            #expect(scaleUp?.reason == "scale-up" && scaleUp?.count == 3, "\(shown)")
            #expect(document.actions.map(\.id) == result.scheduled.map(\.id), "the ids of the pass's plan, not made anew per request")
            let scheduled = try document.scheduledActions()
            #expect(scheduled.map(\.action.resource) == result.scheduled.map(\.action.resource))
            #expect(document.summary["provision"] == 3)
            #expect(document.policy.blocked == true)
            #expect(document.policy.violations.map(\.rule) == ["fleet-size-cap"])

            // What only the daemon adds: when the plan was made, and what holds it back.
            #expect(document.plannedAt == result.snapshot.now.millisecondsSinceEpoch)
            let now = SystemClock().now().millisecondsSinceEpoch
            #expect((now - 120_000...now).contains(document.plannedAt ?? 0))
            #expect(document.policyDenials == status.policyDenials)
            #expect(document.policyDenials?.count == 1 && document.policyDenials?.first?.contains("the cap is 2") == true, "\(shown)")

            // The keys are the document's (snake_case), and none of the old second shape's.
            let keys = Set(try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any]).keys)
            #expect(keys.isSuperset(of: ["format_version", "config_revision", "state_id", "summary", "actions", "drift", "warnings",
                                         "policy", "resource_versions", "planned_at", "policy_denials"]))
            #expect(keys.isDisjoint(with: ["revision", "plannedAt", "policyDenials"]))

            // The OpenAPI document's schema fits it, with its actions, violation and denial
            // (the conformance test sees a plan with none of these).
            let validator = JSONSchemaValidator(document: try JSONValue.parse(Data(OpenAPIDocument.json.utf8)))
            #expect(validator.problems(try JSONValue.parse(body), against: .object(["$ref": .string("#/components/schemas/PlanDocument")])) == [])
        }
        await daemon.tearDown()
    }

    /// `plan --json`, saved plans and `plan_preview` carry neither daemon field.
    @Test func theDaemonsFieldsAreAbsentFromOtherPlanDocuments() throws {
        let plan = Plan(actions: [], resourceVersions: [:], configRevision: "r1")
        let result = PlanResult(plan: plan, scheduled: [], snapshot: Snapshot(desired: DesiredState()))
        let text = String(decoding: try APIJSON.data(PlanDocument(result, stateID: "st-1")), as: UTF8.self)
        #expect(!text.contains("planned_at") && !text.contains("policy_denials"), "\(text)")
        #expect(text.contains("\"format_version\":\"1.0\""))
    }
}
