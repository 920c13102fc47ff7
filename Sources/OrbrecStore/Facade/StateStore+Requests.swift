internal import OrbrecCore

extension StateStore {
    public func requests(limit: Int? = nil) async throws -> [RequestRecord] {
        try await backend.requests(limit: limit)
    }

    public func request(id: String) async throws -> (RequestRecord, [RequestMachineRecord])? {
        try await backend.request(id: id)
    }

    public func requestMachines(requestID: String) async throws -> [RequestMachineRecord] {
        try await backend.requestMachines(requestID: requestID)
    }
}
