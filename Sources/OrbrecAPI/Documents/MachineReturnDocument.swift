/// The answer to a return request (`POST /api/v1/machines/return`, MCP's `return_machines`):
/// its id, to follow with `GET /api/v1/requests/{id}`, and the machines it returns.
public struct MachineReturnDocument: Encodable, Sendable, Hashable {
    public var requestId: String
    public var machineIds: [String]
    public var message: String

    enum CodingKeys: String, CodingKey {
        case message
        case requestId = "request_id"
        case machineIds = "machine_ids"
    }

    public init(requestId: String, machineIds: [String]) {
        self.requestId = requestId
        self.machineIds = machineIds
        message = "returning \(machineIds.count) machine(s)"
    }
}
