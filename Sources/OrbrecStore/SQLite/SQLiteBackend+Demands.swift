package import OrbrecCore
internal import GRDB

extension SQLiteBackend {
    private static let demandsWithReleased = """
        SELECT d.*, (SELECT COUNT(*) FROM machine_returns r WHERE r.demand_id = d.id) AS released FROM machine_demands d
        """

    package func recordDemand(_ demand: MachineDemand, idempotencyKey: String?, at now: Instant) async throws -> (MachineDemand, created: Bool) {
        try await write { db in
            if let idempotencyKey,
               let row = try Row.fetchOne(db, sql: Self.demandsWithReleased + " WHERE d.idempotency_key = ?", arguments: [idempotencyKey]) {
                return (try MachineDemandRecord(row: row).demand(released: row["released"]), false)
            }
            // Requests are ordered as they were journaled: created_at only grows (a request that
            // does not fit beside earlier ones is the later one).
            var demand = demand
            let latest = try Int64.fetchOne(db, sql: "SELECT MAX(created_at) FROM machine_demands") ?? Int64.min
            if demand.createdAt.millisecondsSinceEpoch <= latest {
                demand.createdAt = Instant(millisecondsSinceEpoch: latest + 1)
                demand.updatedAt = demand.createdAt
            }
            try MachineDemandRecord(demand, idempotencyKey: idempotencyKey).insert(db)
            try EventRecord(at: now, resource: ResourceID(.fleet, demand.id).description, subject: "request/\(demand.id)", fromState: nil,
                            toState: RequestStatus.pending.rawValue,
                            cause: "\(demand.actor) asked for \(demand.requested) machine(s) of template \(demand.template)").append(to: db)
            return (demand, true)
        }
    }

    package func demands(openOnly: Bool) async throws -> [MachineDemand] {
        try await read { db in
            let open = """
                 WHERE (d.closed_at IS NULL AND d.requested > (SELECT COUNT(*) FROM machine_returns r WHERE r.demand_id = d.id))
                   OR EXISTS (SELECT 1 FROM machines m WHERE m.fleet = d.id AND m.state NOT IN ('returned', 'failed'))
                """
            return try Row.fetchAll(db, sql: Self.demandsWithReleased + (openOnly ? open : "") + " ORDER BY d.created_at, d.id")
                .map { try MachineDemandRecord(row: $0).demand(released: $0["released"]) }
        }
    }

    package func demand(id: String) async throws -> MachineDemand? {
        try await read { db in
            try Row.fetchOne(db, sql: Self.demandsWithReleased + " WHERE d.id = ?", arguments: [id])
                .map { try MachineDemandRecord(row: $0).demand(released: $0["released"]) }
        }
    }

    package func demand(idempotencyKey: String) async throws -> MachineDemand? {
        try await read { db in
            try Row.fetchOne(db, sql: Self.demandsWithReleased + " WHERE d.idempotency_key = ?", arguments: [idempotencyKey])
                .map { try MachineDemandRecord(row: $0).demand(released: $0["released"]) }
        }
    }

    package func recordReturn(id: String, machines: [String], reason: MachineReturnRecord.Reason, actor: String,
                              at now: Instant) async throws -> [String] {
        try await write { db in
            var recorded: [String] = []
            for machineID in machines {
                guard try MachineReturnRecord.fetchOne(db, key: machineID) == nil,
                      let machine = try MachineRecord.fetchOne(db, key: machineID) else { continue }
                let demandID = try MachineDemandRecord.fetchOne(db, key: machine.fleet)?.id
                try MachineReturnRecord(machineId: machineID, id: id, demandId: demandID, reason: reason, actor: actor, createdAt: now).insert(db)
                try EventRecord(at: now, resource: ResourceID(.fleet, machine.fleet).description, subject: "request/\(id)",
                                fromState: nil, toState: RequestStatus.pending.rawValue,
                                cause: reason == .returned ? "\(actor) asked to return machine \(machineID)"
                                    : "machine \(machineID) was taken back by its provider and is not replaced").append(to: db)
                recorded.append(machineID)
            }
            return recorded
        }
    }

    package func closeDemands(ids: [String]?, cause: String, at now: Instant) async throws -> [String] {
        try await write { db in
            var query = MachineDemandRecord.filter(Column("closed_at") == nil)
            if let ids { query = query.filter(ids.contains(Column("id"))) }
            var closed: [String] = []
            for var record in try query.order(Column("created_at"), Column("id")).fetchAll(db) {
                record.closedAt = now
                record.updatedAt = now
                try record.update(db)
                try EventRecord(at: now, resource: ResourceID(.fleet, record.id).description, subject: "request/\(record.id)",
                                fromState: nil, toState: RequestStatus.cancelled.rawValue, cause: cause).append(to: db)
                closed.append(record.id)
            }
            return closed
        }
    }

    package func machineReturns(id: String?, demand: String?, machines: [String]?) async throws -> [MachineReturnRecord] {
        try await read { db in
            var query = MachineReturnRecord.order(Column("created_at"), Column("machine_id"))
            if let id { query = query.filter(Column("id") == id) }
            if let demand { query = query.filter(Column("demand_id") == demand) }
            if let machines { query = query.filter(machines.contains(Column("machine_id"))) }
            return try query.fetchAll(db)
        }
    }

    package func pendingReturns() async throws -> Set<String> {
        try await read { db in
            Set(try String.fetchAll(db, sql: """
                SELECT r.machine_id FROM machine_returns r JOIN machines m ON m.id = r.machine_id
                WHERE r.reason IN ('returned', 'reclaimed') AND m.state NOT IN ('returned', 'failed')
                """))
        }
    }
}
