/// Instance calls the provider's fleet paths share.
extension EC2Client {
    /// Puts `tags` on `resources` (instances, at most 1,000 at once).
    public func createTags(_ resources: [String], _ tags: [(String, String)]) async throws(EC2Error) {
        guard !resources.isEmpty else { return }
        _ = try await send(EC2Request(action: "CreateTags", parameters: EC2Request.list("ResourceId", resources) + EC2Request.tags("Tag", tags)))
    }

    /// Instances matching every filter (`name` to accepted values), every page.
    public func instances(filters: [(String, [String])]) async throws(EC2Error) -> [EC2Instance] {
        var instances: [EC2Instance] = []
        var token: String?
        repeat {
            var parameters: [EC2Request.Parameter] = []
            for (index, filter) in filters.enumerated() {
                parameters.append(.init("Filter.\(index + 1).Name", filter.0))
                parameters += EC2Request.list("Filter.\(index + 1).Value", filter.1)
            }
            parameters.append(.init("MaxResults", "1000"))
            if let token { parameters.append(.init("NextToken", token)) }
            let page = EC2Instance.describePage(try await send(EC2Request(action: "DescribeInstances", parameters: parameters)))
            instances += page.instances
            token = page.nextToken
        } while token != nil
        return instances
    }
}
