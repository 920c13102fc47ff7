internal import OrbrecCore
internal import GRDB

extension SQLiteBackend {
    package func requests(limit: Int? = nil) async throws -> [RequestRecord] {
        try await read { db in
            var request = RequestRecord.order(Column("created_at").desc, Column("id").desc)
            if let limit { request = request.limit(limit) }
            return try request.fetchAll(db)
        }
    }

    package func request(id: String) async throws -> (RequestRecord, [RequestMachineRecord])? {
        try await read { db in
            guard let request = try RequestRecord.fetchOne(db, key: id) else { return nil }
            let machines = try RequestMachineRecord.filter(Column("request_id") == id).order(Column("machine_id")).fetchAll(db)
            return (request, machines)
        }
    }

    package func requestMachines(requestID: String) async throws -> [RequestMachineRecord] {
        try await read { db in try RequestMachineRecord.filter(Column("request_id") == requestID).order(Column("machine_id")).fetchAll(db) }
    }

    func finishRequest(_ db: Database, id: String, status: RequestStatus, message: String, at now: Instant) throws {
        guard var request = try RequestRecord.fetchOne(db, key: id) else { return }
        let from = request.status
        request.status = status
        request.message = message
        request.updatedAt = now
        try request.update(db)
        try EventRecord(at: now, resource: request.resource.description, subject: "request/\(id)",
                        fromState: from.rawValue, toState: status.rawValue, cause: message).append(to: db)
    }
}
