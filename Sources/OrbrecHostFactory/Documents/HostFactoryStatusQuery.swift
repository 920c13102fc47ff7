/// getRequestStatus' input: the requests (create or return) to report on.
///
///     {"requests": [{"requestId": "7de9425e-6be8-4e50-8dc7-dbcab7ec3102"}]}
public struct HostFactoryStatusQuery: Hashable, Sendable, Codable {
    public struct Request: Hashable, Sendable, Codable {
        public var requestId: String

        public init(requestId: String) {
            self.requestId = requestId
        }
    }

    public var requests: [Request]

    public init(requests: [Request]) {
        self.requests = requests
    }

    public init(requestIDs: [String]) {
        self.requests = requestIDs.map(Request.init(requestId:))
    }
}
