/// The Auto Scaling calls the aws provider makes, one method per action.
extension AutoScalingClient {
    /// The group named `name`, or nil when there is none.
    public func group(named name: String) async throws(EC2Error) -> AutoScalingGroup? {
        let tree = try await send("DescribeAutoScalingGroups", Self.members("AutoScalingGroupNames", [name]))
        return AutoScalingGroup.page(tree).groups.first { $0.name == name }
    }

    public func createGroup(_ request: AutoScalingGroupRequest) async throws(EC2Error) {
        _ = try await send("CreateAutoScalingGroup", request.parameters)
    }

    /// Stops the group's own rebalancing and health replacement: which instances live and die
    /// is orbrec's to decide, and a lost machine is orbrec's to replace.
    public func suspendProcesses(group: String, _ processes: [String]) async throws(EC2Error) {
        _ = try await send("SuspendProcesses", [.init("AutoScalingGroupName", group)] + Self.members("ScalingProcesses", processes))
    }

    /// Adds or changes tags of the group, carried by every instance it launches from now on.
    public func tagGroup(_ group: String, _ tags: [(String, String)]) async throws(EC2Error) {
        _ = try await send("CreateOrUpdateTags", Self.groupTags(group, tags))
    }

    public func setDesiredCapacity(group: String, _ capacity: Int) async throws(EC2Error) {
        _ = try await send("SetDesiredCapacity", [.init("AutoScalingGroupName", group), .init("DesiredCapacity", String(capacity)),
                                                  .init("HonorCooldown", "false")])
    }

    public func setMaxSize(group: String, _ size: Int) async throws(EC2Error) {
        _ = try await send("UpdateAutoScalingGroup", [.init("AutoScalingGroupName", group), .init("MaxSize", String(size))])
    }

    /// Ends exactly this instance; with `decrement` the group's desired capacity drops by
    /// one, so it launches no replacement.
    public func terminateInstance(_ instanceID: String, decrement: Bool) async throws(EC2Error) {
        _ = try await send("TerminateInstanceInAutoScalingGroup", [.init("InstanceId", instanceID),
                                                                   .init("ShouldDecrementDesiredCapacity", decrement ? "true" : "false")])
    }

    /// With `force`, the group's instances are terminated with it.
    public func deleteGroup(_ group: String, force: Bool) async throws(EC2Error) {
        _ = try await send("DeleteAutoScalingGroup", [.init("AutoScalingGroupName", group), .init("ForceDelete", force ? "true" : "false")])
    }

    /// `Tags.member.N.*` of a group, each propagated to the instances it launches.
    static func groupTags(_ group: String, _ tags: [(String, String)]) -> [EC2Request.Parameter] {
        tags.enumerated().flatMap { index, tag -> [EC2Request.Parameter] in
            let prefix = "Tags.member.\(index + 1)"
            return [.init("\(prefix).ResourceId", group), .init("\(prefix).ResourceType", "auto-scaling-group"),
                    .init("\(prefix).Key", tag.0), .init("\(prefix).Value", tag.1), .init("\(prefix).PropagateAtLaunch", "true")]
        }
    }
}
