package import OrbrecCore
internal import GRDB

extension SQLiteBackend {
    /// Machines not yet returned or failed: what orbrec believes it holds.
    package func activeMachines() async throws -> [MachineRecord] {
        try await read { db in
            try MachineRecord.filter(![MachineState.returned.rawValue, MachineState.failed.rawValue].contains(Column("state")))
                .order(Column("fleet"), Column("id")).fetchAll(db)
        }
    }

    package func machines(includeFinished: Bool = false) async throws -> [MachineRecord] {
        guard includeFinished else { return try await activeMachines() }
        return try await read { db in try MachineRecord.order(Column("fleet"), Column("id")).fetchAll(db) }
    }

    package func machine(id: String) async throws -> MachineRecord? {
        try await read { db in try MachineRecord.fetchOne(db, key: id) }
    }

    /// Which of `ids` the journal already holds, returned machines included: a new machine id
    /// must be none of them.
    package func knownMachineIDs(among ids: [String]) async throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        return try await read { db in
            var known: Set<String> = []
            // In chunks: SQLite caps the number of bound parameters.
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[start..<min(start + 500, ids.count)])
                known.formUnion(try String.fetchAll(db, MachineRecord.select(Column("id")).filter(chunk.contains(Column("id")))))
            }
            return known
        }
    }

    /// Brings the recorded machines in line with what the providers report. Machines the
    /// providers hold but the journal does not know are adopted; recorded machines that
    /// are gone are marked lost. Providers in `unreachable` are left as they were.
    package func syncMachines(observed: [ObservedMachine], unreachableProviders: Set<String>, at now: Instant) async throws {
        try await write { db in
            let recorded = try MachineRecord.filter(![MachineState.returned.rawValue, MachineState.failed.rawValue].contains(Column("state")))
                .fetchAll(db)
            let recordedByID = Dictionary(recorded.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let observedIDs = Set(observed.map(\.id))
            for machine in observed {
                if let record = recordedByID[machine.id] {
                    // A machine being returned stays terminating until it is dead; dead, it is returned.
                    let state: MachineState = record.state == .terminating ? (machine.state == .lost ? .returned : .terminating) : machine.state
                    if record.state != state || record.providerId != machine.providerID {
                        try setMachineState(db, id: machine.id, to: state, message: machine.message, at: now,
                                            cause: "observed", providerID: machine.providerID)
                    }
                    if let addresses = machine.addresses, addresses != record.addresses {
                        try db.execute(sql: "UPDATE machines SET private_ip = ?, public_ip = ?, hostname = ? WHERE id = ?",
                                       arguments: [addresses.privateIP, addresses.publicIP, addresses.hostname, machine.id])
                    }
                } else if machine.state == .lost || machine.state == .returned {
                    // Dead and not held (or held as returned or failed): history, such as a
                    // terminated instance the cloud still lists for a while.
                    continue
                } else if try MachineRecord.fetchOne(db, key: machine.id) == nil {
                    var record = MachineRecord(
                        id: machine.id, fleet: machine.fleet, template: machine.template, templateHash: machine.templateHash,
                        provider: machine.provider, providerId: machine.providerID, actionId: machine.actionID,
                        requestId: "", state: machine.state, message: "adopted: found with this state's tags",
                        createdAt: machine.createdAt, updatedAt: now)
                    if let addresses = machine.addresses { record.addresses = addresses }
                    try record.insert(db)
                    try EventRecord(at: now, resource: ResourceID(.fleet, machine.fleet).description, subject: "machine/\(machine.id)",
                                    fromState: nil, toState: machine.state.rawValue, cause: "adopted").append(to: db)
                } else {
                    try setMachineState(db, id: machine.id, to: machine.state, message: "seen again", at: now,
                                        cause: "observed", providerID: machine.providerID)
                }
            }
            for record in recorded where !observedIDs.contains(record.id) && !unreachableProviders.contains(record.provider)
                && !record.recorded.inFlight {
                // A machine being returned that is gone has been returned; anything else is lost.
                let state: MachineState = record.state == .terminating ? .returned : .lost
                if record.state != state {
                    try setMachineState(db, id: record.id, to: state,
                                        message: state == .lost ? "the provider no longer reports it" : "returned",
                                        at: now, cause: "observed")
                }
            }
        }
    }

    func setMachineState(_ db: Database, id: String, to state: MachineState, message: String, at now: Instant,
                         cause: String, providerID: String? = nil) throws {
        guard var machine = try MachineRecord.fetchOne(db, key: id) else { return }
        let from = machine.state
        machine.state = state
        machine.message = message
        machine.updatedAt = now
        if let providerID { machine.providerId = providerID }
        try machine.update(db)
        if from != state {
            try EventRecord(at: now, resource: ResourceID(.fleet, machine.fleet).description, subject: "machine/\(id)",
                            fromState: from.rawValue, toState: state.rawValue, cause: cause).append(to: db)
            // Workers on a machine that is being returned or is gone lose their leases now, in
            // the same transaction, not when the leases would have timed out.
            if [.terminating, .returned, .lost, .failed].contains(state) {
                let reason = state == .lost ? "machine \(id) was lost" : "machine \(id) is being returned"
                _ = try Self.revoke(db, machines: [id], reason: reason, at: now)
            }
        }
    }
}
