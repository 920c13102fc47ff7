internal import OrbrecCore

extension TemplateDecoder {
    static let fields = ObjectSchema("What one machine is: its provider and how it starts.", [
        FieldSchema("provider", .string(), required: true, "The name of a Provider in the configuration."),
        FieldSchema("command", .scalarList(minItems: 1),
                    "The argv each machine runs, looked up on PATH and never run through a shell. Required for a local provider."),
        FieldSchema("maxMachines", .integer(minimum: 0), "The most machines of this template across all fleets that use it, checked at plan time."),
        FieldSchema("stopTimeout", .duration, "Time between SIGTERM and SIGKILL when a machine is returned (default 10s; local)."),
        FieldSchema("providerApi", .choice(TemplateSpec.ProviderAPI.allCases.map(\.rawValue)), "How EC2 instances are requested (default RunInstances; aws)."),
        FieldSchema("imageId", .string(nonEmpty: true), "The AMI id. Required for aws."),
        FieldSchema("instanceType", .string(nonEmpty: true), "One EC2 instance type; exclusive with instanceTypes. Required for aws unless instanceTypes is given."),
        FieldSchema("instanceTypes", .integerMap(minimum: 1), "Instance type to weight, each 1 or more; only with providerApi EC2Fleet (aws)."),
        FieldSchema("subnetIds", .stringList, "Subnets to launch in; without it AWS picks one of the default VPC (aws)."),
        FieldSchema("securityGroupIds", .stringList, "Security groups of each instance (aws)."),
        FieldSchema("keyName", .string(nonEmpty: true), "The EC2 key pair (aws)."),
        FieldSchema("userData", .string(), "Plain text such as a boot script; orbrec base64-encodes it (aws)."),
        FieldSchema("priceType", .choice(TemplateSpec.PriceType.allCases.map(\.rawValue)), "On-demand or spot instances (default ondemand; aws)."),
        FieldSchema("tags", .stringMap, "Tags added to every instance after orbrec's own; keys starting with orbrec: or aws: are reserved (aws)."),
    ], atMostOne: [["instanceType", "instanceTypes"]])

    static var keys: [String] { fields.names }
}
