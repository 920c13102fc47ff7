public import OrbrecCore
public import OrbrecStore

/// A fleet as `GET /api/v1/fleets` shows it: its status row and its machines by state.
public struct FleetDocument: Encodable, Sendable {
    public var name: String
    public var desired: String
    public var observed: String
    public var sync: String
    public var health: String
    public var message: String
    /// Machines the journal holds for the fleet, by state.
    public var machines: [String: Int]
    public var machineIds: [String]

    enum CodingKeys: String, CodingKey {
        case name, desired, observed, sync, health, message, machines
        case machineIds = "machine_ids"
    }

    public init(row: StatusReport.Row, machines: [MachineRecord]) {
        name = row.id.name
        desired = row.desired
        observed = row.observed
        sync = row.sync.rawValue
        health = row.health.rawValue
        message = row.message
        self.machines = Dictionary(grouping: machines, by: \.state.rawValue).mapValues(\.count)
        machineIds = machines.map(\.id).sorted()
    }
}
