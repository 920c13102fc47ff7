internal import Foundation
internal import Hummingbird
internal import HTTPTypes
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecStore
internal import OrbrecAPI

/// Machine requests as the Open Resource Broker's REST API has them: ask for machines of a
/// template, return machines, follow a request, list the templates. A request is journaled
/// before it is answered, and only by a daemon that leads; the loop then acts on it at once.
/// Reads work on every daemon.
struct MachineRequestRoutes: Sendable {
    let store: StateStore
    let loop: ReconcileLoop
    let limits: HTTPLimits

    func register(on api: RouterGroup<ServerContext>) {
        api.post("/machines/request") { request, context in try await requestMachines(request, context) }
        api.post("/machines/return") { request, context in try await returnMachines(request, context) }
        api.get("/requests/:id") { _, context in
            let raw = try context.parameters.require("id")
            return try await requestStatus(id: raw.removingPercentEncoding ?? raw)
        }
        api.get("/templates") { _, _ in try JSONBody.response(TemplatesDocument(try await offers())) }
        api.get("/templates/:id") { _, context in
            let raw = try context.parameters.require("id")
            let name = raw.removingPercentEncoding ?? raw
            let offers = try await offers()
            guard let offer = offers.first(where: { $0.template.name == name }) else {
                throw MachineRequestRefused(.unknownTemplate, "no template \(name.prefix(MachineRequestInput.maxNameLength)) in the configuration in force"
                                                + (offers.isEmpty ? "" : "; templates: \(offers.map(\.template.name).joined(separator: ", "))")).apiError
            }
            return try JSONBody.response(TemplateDocument(offer))
        }
    }

    // MARK: Writes

    func requestMachines(_ request: Request, _ context: ServerContext) async throws -> Response {
        try leads()
        let body = try await request.boundedBody(limits)
        let asked = try Self.read { () throws(MachineRequestInput.Refusal) in try MachineRequestInput.request(body) }
        let key = try idempotencyKey(request)
        let answer: (demand: MachineDemand, created: Bool)
        do {
            answer = try await loop.requestMachines(template: asked.template, count: asked.count, actor: Self.actor(context),
                                                    idempotencyKey: key)
        } catch let refused as MachineRequestRefused {
            throw refused.apiError
        }
        let report = try await loop.requestReports([answer.demand.id])
        guard let first = report.first else { throw APIError.notFound("no request \(answer.demand.id)") }
        let next = MachineRequestNextActions.derive(requestID: first.id, kind: first.kind, status: first.status)
        return try JSONBody.response(NextActionsAnswer(MachineRequestDocument(first), nextActions: next.map(LeaseAnswer.Action.init)),
                                     status: .accepted)
    }

    func returnMachines(_ request: Request, _ context: ServerContext) async throws -> Response {
        try leads()
        let body = try await request.boundedBody(limits)
        let machines = try Self.read { () throws(MachineRequestInput.Refusal) in try MachineRequestInput.machineIDs(body) }
        do {
            let answer = try await loop.returnMachines(machines, actor: Self.actor(context))
            let next = MachineRequestNextActions.derive(requestID: answer.id, kind: .return, status: .pending)
            return try JSONBody.response(NextActionsAnswer(MachineReturnDocument(requestId: answer.id, machineIds: answer.machines),
                                                           nextActions: next.map(LeaseAnswer.Action.init)), status: .accepted)
        } catch let refused as MachineRequestRefused {
            throw refused.apiError
        }
    }

    /// Writes are a leader's: a follower's journal entry would wait for the leader's next
    /// periodic look, and its answer could not say it was acted on.
    func leads() throws {
        if let role = loop.status.current.role, !role.leads { throw APIError.notLeader(role.leader) }
    }

    func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!], !key.isEmpty else { return nil }
        guard key.count <= 200 else { throw APIError(.badRequest, .badIdempotencyKey, "Idempotency-Key is at most 200 characters") }
        return key
    }

    /// Who asked, as the journal keeps it: the API, and the address the request came from.
    static func actor(_ context: ServerContext) -> String { "api@\(context.client)" }

    static func read<T>(_ read: () throws(MachineRequestInput.Refusal) -> T) throws(APIError) -> T {
        do {
            return try read()
        } catch {
            throw error.apiError
        }
    }

    // MARK: Reads

    /// A machine request, a return request, or a request a plan's action made; an unknown id is
    /// 404 `not-found`, as it always was here.
    func requestStatus(id: String) async throws -> Response {
        let report: MachineRequestReport
        do {
            guard let first = try await loop.requestReports([id]).first else { throw APIError.notFound("no request \(id)") }
            report = first
        } catch let refused as MachineRequestRefused where refused.code == .unknownRequest {
            throw APIError.notFound("no request \(id.prefix(MachineRequestInput.maxNameLength))")
        }
        let record = try await store.request(id: id)
        return try JSONBody.response(RequestStatusDocument(report, record: record.map { (request: $0.0, machines: $0.1) }))
    }

    func offers() async throws -> [TemplateOffer] {
        do {
            return try await loop.templateOffers()
        } catch let refused as MachineRequestRefused {
            throw refused.apiError
        }
    }
}
