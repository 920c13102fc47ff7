/// A machine as the planner sees it: the adapter's report merged with the journal's record.
public struct FleetMachine: Hashable, Sendable {
    public var id: String
    public var fleet: String
    public var templateHash: String
    public var provider: String
    public var state: MachineState
    public var createdAt: Instant
    public var isRecorded: Bool

    /// Merges what providers report with what the journal recorded.
    ///
    /// - Reported machines keep the reported state, except that one the journal was
    ///   returning stays `terminating` so that the return is finished.
    /// - Recorded machines the providers no longer report are `lost`, unless their
    ///   provider could not be asked, in which case they are left as recorded.
    /// - A recorded machine still being created (in flight) stays pending.
    /// - Records already final (returned, failed) are history and are dropped.
    public static func merge(observed: ObservedState, recorded: [RecordedMachine]) -> [FleetMachine] {
        var byID: [String: FleetMachine] = [:]
        var returned: Set<String> = []
        let recordedByID = Dictionary(recorded.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for machine in observed.machines where machine.state != .returned && machine.state != .failed {
            let record = recordedByID[machine.id]
            // A dead machine the journal does not hold, or holds as already returned or failed
            // (a cloud keeps terminated instances visible for a while), is history, not drift.
            if machine.state == .lost && (record == nil || record?.state == .returned || record?.state == .failed) { continue }
            if record?.state == .terminating && machine.state == .lost {
                returned.insert(machine.id)  // being returned, and now dead: returned
                continue
            }
            let state: MachineState = record?.state == .terminating ? .terminating : machine.state
            byID[machine.id] = FleetMachine(
                id: machine.id, fleet: machine.fleet, templateHash: machine.templateHash, provider: machine.provider,
                state: state, createdAt: machine.createdAt, isRecorded: record != nil)
        }
        for record in recorded where byID[record.id] == nil && !returned.contains(record.id) && !(record.state == .returned || record.state == .failed) {
            let reachable = observed.unreachableProviders[record.provider] == nil
            byID[record.id] = FleetMachine(
                id: record.id, fleet: record.fleet, templateHash: record.templateHash, provider: record.provider,
                state: record.inFlight ? .pending : (reachable ? .lost : record.state), createdAt: record.createdAt, isRecorded: true)
        }
        return byID.values.sorted { $0.id < $1.id }
    }
}
