/// One Spot Fleet request as DescribeSpotFleetRequests reports it.
public struct SpotFleetRequest: Sendable, Hashable {
    public var id: String
    /// `submitted`, `active`, `modifying`, `cancelled_running`, `cancelled_terminating`, `cancelled`, `failed`.
    public var state: String
    /// `fulfilled`, `pending_fulfillment`, `pending_termination` or `error`, when AWS says.
    public var activityStatus: String?
    public var tags: [String: String]

    init?(_ item: XMLTree) {
        guard let id = item.value("spotFleetRequestId") else { return nil }
        self.id = id
        state = item.value("spotFleetRequestState") ?? ""
        activityStatus = item.value("activityStatus").flatMap { $0.isEmpty ? nil : $0 }
        var tags: [String: String] = [:]
        for tag in item.elements("tagSet/item") {
            if let key = tag.value("key") { tags[key] = tag.value("value") ?? "" }
        }
        self.tags = tags
    }

    /// Still able to launch instances.
    public var isOpen: Bool { ["submitted", "active", "modifying"].contains(state) }
}
