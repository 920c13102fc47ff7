internal import MCP
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecStore
internal import OrbrecAPI

/// The Open Resource Broker's tools: list the templates, request machines, follow requests,
/// return machines. The same engine calls, documents and error codes as the daemon's
/// `/api/v1/machines/*`, `/requests/{id}` and `/templates` routes; a refusal's code
/// (`unknown-template`, `invalid-count`, `over-limit`, `policy-denied`, `unknown-machine`,
/// `unknown-request`, `already-returning`) is the failure's code.
struct RequestTools: Sendable {
    let backend: any MCPBackend

    /// `list_templates`.
    func listTemplates() async throws -> TemplatesDocument {
        TemplatesDocument(try await offers())
    }

    /// `get_template`.
    func getTemplate(_ name: String) async throws -> TemplateDocument {
        let offers = try await offers()
        guard let offer = offers.first(where: { $0.template.name == name }) else {
            throw ToolFailure(.unknownTemplate, "no template \(name) in the configuration"
                              + (offers.isEmpty ? "" : "; templates: \(offers.map(\.template.name).joined(separator: ", "))"))
        }
        return TemplateDocument(offer)
    }

    /// Without a state, nothing is requested yet: the room is what the files' fleets leave.
    func offers() async throws -> [TemplateOffer] {
        let desired = try backend.desired()
        guard let store = try await backend.openExistingStore() else { return TemplateOffer.all(configured: desired, effective: desired) }
        return try await backend.reconciler(for: store).templateOffers(desired)
    }

    /// `request_machines`: journaled, then carried out (by the daemon's loop, or here).
    func requestMachines(template: String, count: Int, idempotencyKey: String?) async throws -> MachineRequestDocument {
        try backend.checkMayJournal()
        let desired = try backend.desired()
        let store = try await backend.openStore()
        let reconciler = backend.reconciler(for: store)
        let actor = backend.actor
        let answer = try await Self.refused {
            try await reconciler.admitMachineRequest(template: template, count: count, configured: desired, actor: actor,
                                                     idempotencyKey: idempotencyKey)
        }
        backend.log("machines requested over MCP", [("request", answer.demand.id), ("template", template), ("count", "\(count)")])
        await backend.moveOn(requests: [answer.demand.id], configured: desired, store: store, journaled: answer.created)
        let reports = try await reconciler.requestReports([answer.demand.id])
        guard let report = reports.first else { throw ToolFailure(.internalError, "no report of \(answer.demand.id)") }
        return MachineRequestDocument(report)
    }

    /// `get_request_status`: `{"requests": [...]}`, in the order asked.
    func requestStatus(_ ids: [String]) async throws -> MachineRequestsDocument {
        guard let store = try await backend.openExistingStore() else {
            throw ToolFailure(.unknownRequest, "no request \(ids.joined(separator: ", ")): there is no state yet")
        }
        let reconciler = backend.reconciler(for: store)
        // Unknown ids are refused before anything is moved on.
        _ = try await Self.refused { try await reconciler.requestReports(ids) }
        if let desired = backend.desiredIfValid() {
            await backend.moveOn(requests: ids, configured: desired, store: store, journaled: false)
        }
        return MachineRequestsDocument(try await Self.refused { try await reconciler.requestReports(ids) })
    }

    /// `return_machines`.
    func returnMachines(_ machines: [String]) async throws -> MachineReturnDocument {
        try backend.checkMayJournal()
        let desired = try backend.desired()
        guard let store = try await backend.openExistingStore() else {
            throw ToolFailure(.unknownMachine, "not a machine this state holds: \(machines.joined(separator: ", ")) (there is no state yet)")
        }
        let reconciler = backend.reconciler(for: store)
        let actor = backend.actor
        let answer = try await Self.refused {
            try await reconciler.admitReturn(machines, configured: desired, actor: actor)
        }
        backend.log("machines returned over MCP", [("request", answer.id), ("machines", answer.machines.joined(separator: ","))])
        await backend.moveOn(requests: [answer.id], configured: desired, store: store, journaled: true)
        return MachineReturnDocument(requestId: answer.id, machineIds: answer.machines)
    }

    /// Runs an engine call, its refusal becoming the tool's failure with the same code.
    static func refused<T>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let refused as MachineRequestRefused {
            throw ToolFailure(refused.code, refused.message)
        }
    }
}

extension ToolArguments {
    /// `count` as the API reads it: an integer from 1 to `MachineRequestInput.maxCount`, else `invalid-count`.
    func machineCount() throws(ToolFailure) -> Int {
        let limit = MachineRequestInput.maxCount
        let count: Int? = switch values["count"] {
        case .int(let number)?: number
        case .double(let number)? where number == number.rounded() && abs(number) <= Double(limit): Int(number)
        default: nil
        }
        guard let count, (1...limit).contains(count) else {
            throw ToolFailure(.invalidCount, "count must be an integer from 1 to \(limit)")
        }
        return count
    }

    /// Ids, as the API reads `machine_ids`: 1 to `limit` non-empty strings, duplicates dropped.
    func ids(_ name: String, limit: Int) throws(ToolFailure) -> [String] {
        guard let given = try optionalStrings(name), !given.isEmpty, given.count <= limit,
              given.allSatisfy({ $0.count <= MachineRequestInput.maxNameLength }) else {
            throw .invalidArguments("\(name) must be an array of 1 to \(limit) ids")
        }
        var seen: Set<String> = []
        return given.filter { seen.insert($0).inserted }
    }
}
