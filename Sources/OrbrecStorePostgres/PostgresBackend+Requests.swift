internal import OrbrecCore
package import OrbrecStore
internal import PostgresNIO

extension PostgresBackend {
    package func requests(limit: Int? = nil) async throws -> [RequestRecord] {
        try await read { tx in
            // LIMIT NULL is no limit.
            try await tx.fetchAll(RequestRecord.self, "SELECT * FROM requests ORDER BY created_at DESC, id DESC LIMIT \(limit.map(Int64.init))")
        }
    }

    package func request(id: String) async throws -> (RequestRecord, [RequestMachineRecord])? {
        try await snapshot { tx in
            guard let request = try await tx.fetchOne(RequestRecord.self, "SELECT * FROM requests WHERE id = \(id)") else { return nil }
            let machines = try await tx.fetchAll(RequestMachineRecord.self,
                                                 "SELECT * FROM request_machines WHERE request_id = \(id) ORDER BY machine_id")
            return (request, machines)
        }
    }

    package func requestMachines(requestID: String) async throws -> [RequestMachineRecord] {
        try await read { tx in
            try await tx.fetchAll(RequestMachineRecord.self, "SELECT * FROM request_machines WHERE request_id = \(requestID) ORDER BY machine_id")
        }
    }

    func finishRequest(_ tx: StateTransaction, id: String, status: RequestStatus, message: String, at now: Instant) async throws {
        guard var request = try await tx.fetchOne(RequestRecord.self, "SELECT * FROM requests WHERE id = \(id) FOR UPDATE") else { return }
        let from = request.status
        request.status = status
        request.message = message
        request.updatedAt = now
        try await tx.update(request, in: "requests", key: ["id"])
        tx.appendEvent(at: now, resource: request.resource.description, subject: "request/\(id)",
                       from: from.rawValue, to: status.rawValue, cause: message)
    }
}
