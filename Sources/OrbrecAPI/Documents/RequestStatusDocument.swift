public import OrbrecCore
public import OrbrecStore

/// `GET /api/v1/requests/{id}`: a request in the Open Resource Broker's field names (those of
/// `MachineRequestDocument`: `request_id`, `request_type`, `requested_count`, machines with
/// `machine_id`, `result` and addresses) with orbrec's earlier ones beside them (`id`, `kind`,
/// `fulfilled`, `target`; for a request a plan's action made also `resource`, `action`,
/// `updated_at`; machines with `id` and `state`), so a client of either reads it.
public struct RequestStatusDocument: Encodable, Sendable {
    public struct Machine: Encodable, Sendable {
        public var orb: MachineRequestDocument.Machine
        public var id: String
        public var state: String

        enum CodingKeys: String, CodingKey { case id, state }

        public func encode(to encoder: any Encoder) throws {
            try orb.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(state, forKey: .state)
        }
    }

    // The Open Resource Broker's fields.
    public var requestId: String
    public var requestType: String
    public var status: String
    public var message: String
    public var templateId: String?
    public var requestedCount: Int
    public var createdAt: Int64
    public var machines: [Machine]
    // orbrec's.
    public var id: String
    public var kind: String
    public var resource: String?
    public var action: String?
    public var fulfilled: Int
    public var target: Int
    public var updatedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case status, message, machines, id, kind, resource, action, fulfilled, target
        case requestId = "request_id"
        case requestType = "request_type"
        case templateId = "template_id"
        case requestedCount = "requested_count"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// `record` is the request a plan's action made, when it is one (`store.request(id:)`).
    public init(_ report: MachineRequestReport, record: (request: RequestRecord, machines: [RequestMachineRecord])? = nil) {
        let orb = MachineRequestDocument(report)
        requestId = orb.requestId
        requestType = orb.requestType
        status = orb.status
        message = orb.message
        templateId = orb.templateId
        requestedCount = orb.requestedCount
        createdAt = orb.createdAt
        machines = orb.machines.map { Machine(orb: $0, id: $0.machineId, state: $0.status) }
        id = report.id
        kind = report.kind.rawValue
        if let record {
            let earlier = RequestDocument(record.request, machines: record.machines)
            resource = earlier.resource
            action = earlier.action
            fulfilled = earlier.fulfilled
            target = earlier.target
            updatedAt = earlier.updatedAt
        } else {
            // A machine request is held by the fleet named for it; a return request by none.
            resource = report.kind == .provision ? ResourceID(.fleet, report.id).description : nil
            // Made (provision) or given back (return) so far, as `fulfilled` counts for a plan's request.
            fulfilled = report.machines.filter { $0.result == .succeed }.count
            target = report.requested
        }
    }
}
