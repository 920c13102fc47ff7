internal import OrbrecCore

extension ProviderDecoder {
    static let fields = ObjectSchema("Where machines come from: this host's processes (local) or EC2 instances (aws).", [
        FieldSchema("type", .choice(ProviderSpec.ProviderType.allCases.map(\.rawValue)), required: true,
                    "The provider's kind. local and aws are supported; hostfactory is recognised and refused."),
        FieldSchema("maxInFlight", .integer(minimum: 1), "How many actions on this provider an apply carries out at once (default 10)."),
        FieldSchema("region", .string(nonEmpty: true), "The AWS region, such as us-east-1. Required for aws."),
        FieldSchema("endpoint", .string(nonEmpty: true), "An http:// or https:// URL with a host: where EC2 calls go (aws)."),
        FieldSchema("profile", .string(nonEmpty: true), "The profile of the shared AWS credentials file to use (aws)."),
    ])

    static var keys: [String] { fields.names }
}
