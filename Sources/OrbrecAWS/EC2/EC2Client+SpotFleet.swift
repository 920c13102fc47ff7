/// The Spot Fleet calls, one method per action.
extension EC2Client {
    /// Places the request; answers its id.
    public func requestSpotFleet(_ config: SpotFleetRequestConfig) async throws(EC2Error) -> String {
        let tree = try await send(EC2Request(action: "RequestSpotFleet", parameters: config.parameters))
        guard let id = tree.value("spotFleetRequestId"), !id.isEmpty else {
            throw EC2Error(status: 200, code: "MalformedAnswer", message: "RequestSpotFleet answered without a request id")
        }
        return id
    }

    /// The instances the request launched that are still running or about to, every page.
    public func spotFleetInstances(_ requestID: String) async throws(EC2Error) -> [String] {
        var ids: [String] = []
        var token: String?
        repeat {
            var parameters = [EC2Request.Parameter("SpotFleetRequestId", requestID), .init("MaxResults", "1000")]
            if let token { parameters.append(.init("NextToken", token)) }
            let tree = try await send(EC2Request(action: "DescribeSpotFleetInstances", parameters: parameters))
            ids += tree.elements("activeInstanceSet/item").compactMap { $0.value("instanceId") }
            token = tree.value("nextToken").flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return ids
    }

    /// The requests named, or every request of the account when `ids` is empty, every page.
    /// (The call takes no filters: requests are told apart by their tags.)
    public func spotFleetRequests(_ ids: [String] = []) async throws(EC2Error) -> [SpotFleetRequest] {
        var requests: [SpotFleetRequest] = []
        var token: String?
        repeat {
            var parameters = EC2Request.list("SpotFleetRequestId", ids)
            if ids.isEmpty { parameters.append(.init("MaxResults", "1000")) }
            if let token { parameters.append(.init("NextToken", token)) }
            let tree = try await send(EC2Request(action: "DescribeSpotFleetRequests", parameters: parameters))
            requests += tree.elements("spotFleetRequestConfigSet/item").compactMap(SpotFleetRequest.init)
            token = tree.value("nextToken").flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return requests
    }

    /// Cancels requests. With `terminateInstances` false their instances keep running, as
    /// ordinary spot instances; answers the ids AWS could not cancel, with its reason.
    @discardableResult
    public func cancelSpotFleetRequests(_ ids: [String], terminateInstances: Bool) async throws(EC2Error) -> [String: String] {
        guard !ids.isEmpty else { return [:] }
        let tree = try await send(EC2Request(action: "CancelSpotFleetRequests", parameters: EC2Request.list("SpotFleetRequestId", ids)
            + [.init("TerminateInstances", terminateInstances ? "true" : "false")]))
        var failed: [String: String] = [:]
        for item in tree.elements("unsuccessfulFleetRequestSet/item") {
            if let id = item.value("spotFleetRequestId") {
                failed[id] = [item.value("error/code"), item.value("error/message")].compactMap { $0 }.joined(separator: ": ")
            }
        }
        return failed
    }
}
