package import OrbrecCore
package import OrbrecStore
internal import PostgresNIO

extension PostgresBackend {
    package func recordReturnAdoptingReclaimed(id: String, machines: [String], actor: String, at now: Instant) async throws -> [String] {
        try await write { tx in
            var recorded: [String] = []
            for machineID in machines {
                guard let machine = try await tx.fetchOne(MachineRecord.self, "SELECT * FROM machines WHERE id = \(machineID)") else { continue }
                if let given = try await tx.fetchOne(MachineReturnRecord.self, "SELECT * FROM machine_returns WHERE machine_id = \(machineID)") {
                    // Only a reclaim no return request has named yet: its row still carries its machine request's id.
                    guard given.reason == .reclaimed, given.id == given.demandId else { continue }
                    try await tx.execute("UPDATE machine_returns SET id = \(id) WHERE machine_id = \(machineID)")
                    tx.appendEvent(at: now, resource: ResourceID(.fleet, machine.fleet).description, subject: "request/\(id)", from: nil,
                                   to: RequestStatus.pending.rawValue, cause: "\(actor) returned machine \(machineID), which its provider had taken back")
                } else {
                    let demandID = try await tx.value(String.self, "SELECT id FROM machine_demands WHERE id = \(machine.fleet)")
                    try await tx.insert(MachineReturnRecord(machineId: machineID, id: id, demandId: demandID, reason: .returned, actor: actor,
                                                            createdAt: now), into: "machine_returns")
                    tx.appendEvent(at: now, resource: ResourceID(.fleet, machine.fleet).description, subject: "request/\(id)", from: nil,
                                   to: RequestStatus.pending.rawValue, cause: "\(actor) asked to return machine \(machineID)")
                }
                recorded.append(machineID)
            }
            return recorded
        }
    }
}
