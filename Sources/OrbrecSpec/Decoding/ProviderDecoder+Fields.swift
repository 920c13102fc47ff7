internal import OrbrecCore

extension ProviderDecoder {
    /// The fields every provider has.
    static let commonFields = [
        FieldSchema("type", .choice(ProviderSpec.ProviderType.allCases.map(\.rawValue)), required: true,
                    "The provider's kind: local (this host's processes), aws (EC2 instances) or hostfactory (a HostFactory "
                    + "provider plugin's scripts). The other fields depend on it."),
        FieldSchema("maxInFlight", .integer(minimum: 1), "How many actions on this provider an apply carries out at once (default 10)."),
    ]

    static let description = "Where machines come from: this host's processes (local), EC2 instances (aws) or a HostFactory "
        + "provider plugin (hostfactory)."

    /// Every field of every type, for `orbrec schema`, `orbrec explain` and policies; each
    /// type's own say which type they are for.
    static let fields = ObjectSchema(description, commonFields + ProviderSpec.ProviderType.allCases.flatMap(\.decoder.providerFields))

    /// The fields of a provider of `type`.
    static func fields(for type: ProviderSpec.ProviderType) -> ObjectSchema {
        ObjectSchema(description, commonFields + type.decoder.providerFields)
    }

    static var keys: [String] { fields.names }
}
