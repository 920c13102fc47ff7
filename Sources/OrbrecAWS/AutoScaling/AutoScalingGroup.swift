/// One Auto Scaling group as DescribeAutoScalingGroups reports it: its capacity, its members
/// and its tags.
public struct AutoScalingGroup: Sendable, Hashable {
    public struct Member: Sendable, Hashable {
        public var instanceID: String
        /// `Pending`, `InService`, `Terminating`, `Standby`, … with their `:Wait`/`:Proceed` steps.
        public var lifecycleState: String
        public var healthStatus: String

        /// A member that is or will be a running instance of the group.
        public var isLive: Bool {
            ["Pending", "InService", "EnteringStandby", "Standby"].contains { lifecycleState.hasPrefix($0) }
        }
    }

    public var name: String
    public var desiredCapacity: Int
    public var minSize: Int
    public var maxSize: Int
    public var members: [Member]
    public var tags: [String: String]
    /// Set while the group is being deleted (`Delete in progress`).
    public var status: String?

    init?(_ item: XMLTree) {
        guard let name = item.value("AutoScalingGroupName") else { return nil }
        self.name = name
        desiredCapacity = item.value("DesiredCapacity").flatMap { Int($0) } ?? 0
        minSize = item.value("MinSize").flatMap { Int($0) } ?? 0
        maxSize = item.value("MaxSize").flatMap { Int($0) } ?? 0
        members = item.elements("Instances/member").compactMap { member in
            member.value("InstanceId").map {
                Member(instanceID: $0, lifecycleState: member.value("LifecycleState") ?? "", healthStatus: member.value("HealthStatus") ?? "")
            }
        }
        var tags: [String: String] = [:]
        for tag in item.elements("Tags/member") {
            if let key = tag.value("Key") { tags[key] = tag.value("Value") ?? "" }
        }
        self.tags = tags
        status = item.value("Status").flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The members that are or will be running, by instance id.
    public var liveInstanceIDs: Set<String> { Set(members.filter(\.isLive).map(\.instanceID)) }

    /// The groups of one DescribeAutoScalingGroups page and its next token.
    static func page(_ tree: XMLTree) -> (groups: [AutoScalingGroup], nextToken: String?) {
        let result = tree["DescribeAutoScalingGroupsResult"] ?? tree
        let groups = result.elements("AutoScalingGroups/member").compactMap(AutoScalingGroup.init)
        return (groups, result.value("NextToken").flatMap { $0.isEmpty ? nil : $0 })
    }
}
