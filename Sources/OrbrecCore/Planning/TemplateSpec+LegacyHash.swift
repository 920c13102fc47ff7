extension TemplateSpec {
    /// This template's hash as orbrec computed it before hashes came from the canonical
    /// encoding (issue 18). Frozen: it only recognises machines built before that upgrade in
    /// a state whose journal has no record of their hash's fields. Nil for a template that
    /// uses what did not exist then (a hostfactory provider, SpotFleet, ASG and their
    /// fields): no machine can carry an old hash of it.
    var legacySpecHash: String? {
        let command: [String]
        let aws: AWSTemplateSettings?
        switch settings {
        case .local(let local):
            (command, aws) = (local.command, nil)
        case .aws(let settings):
            guard settings.fleetRole == nil, settings.allocationStrategy == nil, settings.maxSpotPrice == nil,
                  settings.api == .runInstances || settings.api == .ec2Fleet else { return nil }
            (command, aws) = ([], settings)
        default:
            return nil
        }
        var hasher = StableHasher()
        hasher.combine(name)
        hasher.combine(provider)
        hasher.combine(command)
        hasher.combine(aws?.providerApi?.rawValue)
        hasher.combine(aws?.imageId)
        hasher.combine(aws?.instanceType)
        hasher.combine(aws?.instanceTypes ?? [:])
        hasher.combine(aws?.subnetIds ?? [])
        hasher.combine(aws?.securityGroupIds ?? [])
        hasher.combine(aws?.keyName)
        hasher.combine(aws?.userData)
        hasher.combine(aws?.priceType?.rawValue)
        hasher.combine(aws?.tags ?? [:])
        return hasher.hexDigest
    }
}
