package import OrbrecCore
package import OrbrecStore
internal import PostgresNIO

extension PostgresBackend {
    /// Machines not yet returned or failed: what orbrec believes it holds.
    package func activeMachines() async throws -> [MachineRecord] {
        try await read { tx in
            try await tx.fetchAll(MachineRecord.self, """
                SELECT * FROM machines WHERE state <> ALL(\(Self.finishedMachineStates)) ORDER BY fleet, id
                """)
        }
    }

    package func machines(includeFinished: Bool = false) async throws -> [MachineRecord] {
        guard includeFinished else { return try await activeMachines() }
        return try await read { tx in try await tx.fetchAll(MachineRecord.self, "SELECT * FROM machines ORDER BY fleet, id") }
    }

    package func machine(id: String) async throws -> MachineRecord? {
        try await read { tx in try await tx.fetchOne(MachineRecord.self, "SELECT * FROM machines WHERE id = \(id)") }
    }

    /// Which of `ids` the journal already holds, returned machines included: a new machine id
    /// must be none of them.
    package func knownMachineIDs(among ids: [String]) async throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        return try await read { tx in Set(try await tx.values(String.self, "SELECT id FROM machines WHERE id = ANY(\(ids))")) }
    }

    /// Brings the recorded machines in line with what the providers report. Machines the
    /// providers hold but the journal does not know are adopted; recorded machines that
    /// are gone are marked lost. Providers in `unreachable` are left as they were.
    package func syncMachines(observed: [ObservedMachine], unreachableProviders: Set<String>, at now: Instant) async throws {
        try await write { tx in
            // Ordered so that the events of machines found gone come in a fixed order (SQLite
            // gives them in rowid order; these tables have no rowid).
            let recorded = try await tx.fetchAll(MachineRecord.self, """
                SELECT * FROM machines WHERE state <> ALL(\(Self.finishedMachineStates)) ORDER BY fleet, id
                """)
            let recordedByID = Dictionary(recorded.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let observedIDs = Set(observed.map(\.id))
            for machine in observed {
                if let record = recordedByID[machine.id] {
                    // A machine being returned stays terminating until it is dead; dead, it is returned.
                    let state: MachineState = record.state == .terminating ? (machine.state == .lost ? .returned : .terminating) : machine.state
                    if record.state != state || record.providerId != machine.providerID {
                        try await setMachineState(tx, id: machine.id, to: state, message: machine.message, at: now,
                                                  cause: "observed", providerID: machine.providerID)
                    }
                    if let addresses = machine.addresses, addresses != record.addresses {
                        try await tx.execute("""
                            UPDATE machines SET private_ip = \(addresses.privateIP), public_ip = \(addresses.publicIP),
                              hostname = \(addresses.hostname) WHERE id = \(machine.id)
                            """)
                    }
                } else if machine.state == .lost || machine.state == .returned {
                    // Dead and not held (or held as returned or failed): history, such as a
                    // terminated instance the cloud still lists for a while.
                    continue
                } else if try await tx.value(Int.self, "SELECT 1 FROM machines WHERE id = \(machine.id)") == nil {
                    var record = MachineRecord(
                        id: machine.id, fleet: machine.fleet, template: machine.template, templateHash: machine.templateHash,
                        provider: machine.provider, providerId: machine.providerID, actionId: machine.actionID,
                        requestId: "", state: machine.state, message: "adopted: found with this state's tags",
                        createdAt: machine.createdAt, updatedAt: now)
                    if let addresses = machine.addresses { record.addresses = addresses }
                    try await tx.insert(record, into: "machines")
                    tx.appendEvent(at: now, resource: ResourceID(.fleet, machine.fleet).description, subject: "machine/\(machine.id)",
                                   from: nil, to: machine.state.rawValue, cause: "adopted")
                } else {
                    try await setMachineState(tx, id: machine.id, to: machine.state, message: "seen again", at: now,
                                              cause: "observed", providerID: machine.providerID)
                }
            }
            for record in recorded where !observedIDs.contains(record.id) && !unreachableProviders.contains(record.provider)
                && !record.recorded.inFlight {
                // A machine being returned that is gone has been returned; anything else is lost.
                let state: MachineState = record.state == .terminating ? .returned : .lost
                if record.state != state {
                    try await setMachineState(tx, id: record.id, to: state,
                                              message: state == .lost ? "the provider no longer reports it" : "returned",
                                              at: now, cause: "observed")
                }
            }
        }
    }

    func setMachineState(_ tx: StateTransaction, id: String, to state: MachineState, message: String, at now: Instant,
                         cause: String, providerID: String? = nil) async throws {
        guard var machine = try await tx.fetchOne(MachineRecord.self, "SELECT * FROM machines WHERE id = \(id) FOR UPDATE") else { return }
        let from = machine.state
        machine.state = state
        machine.message = message
        machine.updatedAt = now
        if let providerID { machine.providerId = providerID }
        try await tx.update(machine, in: "machines", key: ["id"])
        if from != state {
            tx.appendEvent(at: now, resource: ResourceID(.fleet, machine.fleet).description, subject: "machine/\(id)",
                           from: from.rawValue, to: state.rawValue, cause: cause)
            // Workers on a machine that is being returned or is gone lose their leases now, in
            // the same transaction, not when the leases would have timed out.
            if [.terminating, .returned, .lost, .failed].contains(state) {
                let reason = state == .lost ? "machine \(id) was lost" : "machine \(id) is being returned"
                try await Self.revoke(tx, machines: [id], reason: reason, at: now)
            }
        }
    }

    /// States of machines orbrec no longer holds.
    static var finishedMachineStates: [String] { [MachineState.returned.rawValue, MachineState.failed.rawValue] }
}
