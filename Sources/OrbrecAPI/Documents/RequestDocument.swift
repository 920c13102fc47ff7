public import OrbrecCore
public import OrbrecStore

/// A request with its machines, as `get requests -o json` and `GET /api/v1/requests/{id}` show it.
public struct RequestDocument: Encodable, Sendable {
    public struct Machine: Encodable, Sendable {
        public var id: String
        public var state: String
        public var message: String
    }

    public var id: String
    public var kind: String
    public var status: String
    public var resource: String
    public var action: String
    public var message: String
    /// Machines made (provision) or given back (return) so far, of `target` asked: the
    /// counts of a `partial` request, as ORB reports them.
    public var fulfilled: Int
    public var target: Int
    public var machines: [Machine]
    public var createdAt: Int64
    public var updatedAt: Int64

    enum CodingKeys: String, CodingKey {
        case id, kind, status, resource, action, message, fulfilled, target, machines
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(_ request: RequestRecord, machines: [RequestMachineRecord]) {
        id = request.id
        kind = request.kind.rawValue
        status = request.status.rawValue
        resource = request.resource.description
        action = request.actionId
        message = request.message
        self.machines = machines.map { Machine(id: $0.machineId, state: $0.state.rawValue, message: $0.message) }
        target = machines.count
        fulfilled = machines.filter { request.kind == .return ? $0.state == .returned : $0.state != .failed }.count
        createdAt = request.createdAt.millisecondsSinceEpoch
        updatedAt = request.updatedAt.millisecondsSinceEpoch
    }
}
