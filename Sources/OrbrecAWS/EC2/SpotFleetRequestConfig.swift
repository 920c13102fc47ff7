public import Foundation

/// What RequestSpotFleet is asked for. Always a one-time request (`Type=request`): the fleet
/// launches its target once and never replenishes, so it cannot fight orbrec, which keeps
/// the count itself. `ValidUntil` bounds a request whose requester died before cancelling it;
/// its instances outlive it (`TerminateInstancesWithExpiration=false`).
public struct SpotFleetRequestConfig: Sendable {
    /// One way to launch an instance. Its weighted capacity is 1: a machine is one instance,
    /// whatever its type.
    public struct LaunchSpecification: Sendable {
        public var imageID: String
        public var instanceType: String
        public var subnetID: String?
        public var securityGroupIDs: [String]
        public var keyName: String?
        /// Plain text; base64-encoded on the wire.
        public var userData: String?
        public var tags: [(String, String)]

        public init(imageID: String, instanceType: String, subnetID: String? = nil, securityGroupIDs: [String] = [],
                    keyName: String? = nil, userData: String? = nil, tags: [(String, String)]) {
            self.imageID = imageID
            self.instanceType = instanceType
            self.subnetID = subnetID
            self.securityGroupIDs = securityGroupIDs
            self.keyName = keyName
            self.userData = userData
            self.tags = tags
        }
    }

    public var clientToken: String
    public var fleetRole: String
    public var targetCapacity: Int
    /// Spot Fleet's spelling: `lowestPrice`, `diversified`, `capacityOptimized`, `priceCapacityOptimized`;
    /// AWS's default when nil.
    public var allocationStrategy: String?
    public var spotPrice: String?
    public var validUntil: Date
    public var launchSpecifications: [LaunchSpecification]
    /// On the request itself, so that a request orbrec lost track of is found by them.
    public var requestTags: [(String, String)]

    public init(clientToken: String, fleetRole: String, targetCapacity: Int, allocationStrategy: String? = nil, spotPrice: String? = nil,
                validUntil: Date, launchSpecifications: [LaunchSpecification], requestTags: [(String, String)]) {
        self.clientToken = clientToken
        self.fleetRole = fleetRole
        self.targetCapacity = targetCapacity
        self.allocationStrategy = allocationStrategy
        self.spotPrice = spotPrice
        self.validUntil = validUntil
        self.launchSpecifications = launchSpecifications
        self.requestTags = requestTags
    }

    /// `SpotFleetRequestConfig.*`, as the AWS CLI flattens it.
    var parameters: [EC2Request.Parameter] {
        let root = "SpotFleetRequestConfig"
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var parameters: [EC2Request.Parameter] = [
            .init("\(root).ClientToken", clientToken), .init("\(root).IamFleetRole", fleetRole),
            .init("\(root).TargetCapacity", String(targetCapacity)), .init("\(root).Type", "request"),
            .init("\(root).InstanceInterruptionBehavior", "terminate"),
            .init("\(root).ValidUntil", formatter.string(from: validUntil)), .init("\(root).TerminateInstancesWithExpiration", "false"),
        ]
        if let allocationStrategy { parameters.append(.init("\(root).AllocationStrategy", allocationStrategy)) }
        if let spotPrice { parameters.append(.init("\(root).SpotPrice", spotPrice)) }
        for (index, specification) in launchSpecifications.enumerated() {
            let prefix = "\(root).LaunchSpecifications.\(index + 1)"
            parameters += [.init("\(prefix).ImageId", specification.imageID), .init("\(prefix).InstanceType", specification.instanceType),
                           .init("\(prefix).WeightedCapacity", "1")]
            if let subnet = specification.subnetID { parameters.append(.init("\(prefix).SubnetId", subnet)) }
            if let key = specification.keyName { parameters.append(.init("\(prefix).KeyName", key)) }
            if let userData = specification.userData {
                parameters.append(.init("\(prefix).UserData", Data(userData.utf8).base64EncodedString()))
            }
            for (group, id) in specification.securityGroupIDs.enumerated() {
                parameters.append(.init("\(prefix).GroupSet.\(group + 1).GroupId", id))
            }
            parameters.append(.init("\(prefix).TagSpecificationSet.1.ResourceType", "instance"))
            parameters += EC2Request.tags("\(prefix).TagSpecificationSet.1.Tag", specification.tags)
        }
        parameters.append(.init("\(root).TagSpecification.1.ResourceType", "spot-fleet-request"))
        parameters += EC2Request.tags("\(root).TagSpecification.1.Tag", requestTags)
        return parameters
    }
}
