package import OrbrecCore
package import OrbrecStore
internal import PostgresNIO

extension PostgresBackend {
    private static let demandsWithReleased = """
        SELECT d.*, (SELECT COUNT(*) FROM machine_returns r WHERE r.demand_id = d.id) AS released FROM machine_demands d
        """

    private static func demand(_ row: PostgresRow) throws -> MachineDemand {
        let record = try RowDecoder.decode(MachineDemandRecord.self, from: row)
        let released = try row.makeRandomAccess()["released"].decode(Int.self)
        return record.demand(released: released)
    }

    package func recordDemand(_ demand: MachineDemand, idempotencyKey: String?, at now: Instant) async throws -> (MachineDemand, created: Bool) {
        try await write { tx in
            if let idempotencyKey,
               let row = try await tx.rows("\(unescaped: Self.demandsWithReleased) WHERE d.idempotency_key = \(idempotencyKey)").first {
                return (try Self.demand(row), false)
            }
            // Requests are ordered as they were journaled (writes are serialised by the journal
            // lock): created_at only grows.
            var demand = demand
            if let latest = try await tx.value(Int64.self, "SELECT MAX(created_at) FROM machine_demands"),
               demand.createdAt.millisecondsSinceEpoch <= latest {
                demand.createdAt = Instant(millisecondsSinceEpoch: latest + 1)
                demand.updatedAt = demand.createdAt
            }
            try await tx.insert(MachineDemandRecord(demand, idempotencyKey: idempotencyKey), into: "machine_demands")
            tx.appendEvent(at: now, resource: ResourceID(.fleet, demand.id).description, subject: "request/\(demand.id)", from: nil,
                           to: RequestStatus.pending.rawValue,
                           cause: "\(demand.actor) asked for \(demand.requested) machine(s) of template \(demand.template)")
            return (demand, true)
        }
    }

    package func demands(openOnly: Bool) async throws -> [MachineDemand] {
        let open = """
             WHERE (d.closed_at IS NULL AND d.requested > (SELECT COUNT(*) FROM machine_returns r WHERE r.demand_id = d.id))
               OR EXISTS (SELECT 1 FROM machines m WHERE m.fleet = d.id AND m.state NOT IN ('returned', 'failed'))
            """
        let sql = Self.demandsWithReleased + (openOnly ? open : "") + " ORDER BY d.created_at, d.id"
        return try await read { tx in try await tx.rows(PostgresQuery(unsafeSQL: sql)).map(Self.demand) }
    }

    package func demand(id: String) async throws -> MachineDemand? {
        try await read { tx in
            try await tx.rows("\(unescaped: Self.demandsWithReleased) WHERE d.id = \(id)").first.map(Self.demand)
        }
    }

    package func demand(idempotencyKey: String) async throws -> MachineDemand? {
        try await read { tx in
            try await tx.rows("\(unescaped: Self.demandsWithReleased) WHERE d.idempotency_key = \(idempotencyKey)").first.map(Self.demand)
        }
    }

    package func recordReturn(id: String, machines: [String], reason: MachineReturnRecord.Reason, actor: String,
                              at now: Instant) async throws -> [String] {
        try await write { tx in
            var recorded: [String] = []
            for machineID in machines {
                guard try await tx.value(Int.self, "SELECT 1 FROM machine_returns WHERE machine_id = \(machineID)") == nil,
                      let machine = try await tx.fetchOne(MachineRecord.self, "SELECT * FROM machines WHERE id = \(machineID)")
                else { continue }
                let demandID = try await tx.value(String.self, "SELECT id FROM machine_demands WHERE id = \(machine.fleet)")
                try await tx.insert(MachineReturnRecord(machineId: machineID, id: id, demandId: demandID, reason: reason, actor: actor,
                                                        createdAt: now), into: "machine_returns")
                tx.appendEvent(at: now, resource: ResourceID(.fleet, machine.fleet).description, subject: "request/\(id)", from: nil,
                               to: RequestStatus.pending.rawValue,
                               cause: reason == .returned ? "\(actor) asked to return machine \(machineID)"
                                   : "machine \(machineID) was taken back by its provider and is not replaced")
                recorded.append(machineID)
            }
            return recorded
        }
    }

    package func closeDemands(ids: [String]?, cause: String, at now: Instant) async throws -> [String] {
        try await write { tx in
            let closed = try await tx.values(String.self, """
                UPDATE machine_demands SET closed_at = \(now.millisecondsSinceEpoch), updated_at = \(now.millisecondsSinceEpoch)
                WHERE closed_at IS NULL AND (\(ids == nil) OR id = ANY(\(ids ?? []))) RETURNING id
                """).sorted()
            for id in closed {
                tx.appendEvent(at: now, resource: ResourceID(.fleet, id).description, subject: "request/\(id)", from: nil,
                               to: RequestStatus.cancelled.rawValue, cause: cause)
            }
            return closed
        }
    }

    package func machineReturns(id: String?, demand: String?, machines: [String]?) async throws -> [MachineReturnRecord] {
        try await read { tx in
            try await tx.fetchAll(MachineReturnRecord.self, """
                SELECT * FROM machine_returns WHERE (\(id)::text IS NULL OR id = \(id)) AND (\(demand)::text IS NULL OR demand_id = \(demand))
                  AND (\(machines == nil) OR machine_id = ANY(\(machines ?? [])))
                ORDER BY created_at, machine_id
                """)
        }
    }

    package func pendingReturns() async throws -> Set<String> {
        try await read { tx in
            Set(try await tx.values(String.self, """
                SELECT r.machine_id FROM machine_returns r JOIN machines m ON m.id = r.machine_id
                WHERE r.reason IN ('returned', 'reclaimed') AND m.state NOT IN ('returned', 'failed')
                """))
        }
    }
}
