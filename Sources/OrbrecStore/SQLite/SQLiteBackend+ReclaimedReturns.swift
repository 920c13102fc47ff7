package import OrbrecCore
internal import GRDB

extension SQLiteBackend {
    package func recordReturnAdoptingReclaimed(id: String, machines: [String], actor: String, at now: Instant) async throws -> [String] {
        try await write { db in
            var recorded: [String] = []
            for machineID in machines {
                guard let machine = try MachineRecord.fetchOne(db, key: machineID) else { continue }
                if var given = try MachineReturnRecord.fetchOne(db, key: machineID) {
                    // Only a reclaim no return request has named yet: its row still carries its machine request's id.
                    guard given.reason == .reclaimed, given.id == given.demandId else { continue }
                    given.id = id
                    try given.update(db)
                    try EventRecord(at: now, resource: ResourceID(.fleet, machine.fleet).description, subject: "request/\(id)",
                                    fromState: nil, toState: RequestStatus.pending.rawValue,
                                    cause: "\(actor) returned machine \(machineID), which its provider had taken back").append(to: db)
                } else {
                    let demandID = try MachineDemandRecord.fetchOne(db, key: machine.fleet)?.id
                    try MachineReturnRecord(machineId: machineID, id: id, demandId: demandID, reason: .returned, actor: actor,
                                            createdAt: now).insert(db)
                    try EventRecord(at: now, resource: ResourceID(.fleet, machine.fleet).description, subject: "request/\(id)",
                                    fromState: nil, toState: RequestStatus.pending.rawValue,
                                    cause: "\(actor) asked to return machine \(machineID)").append(to: db)
                }
                recorded.append(machineID)
            }
            return recorded
        }
    }
}
