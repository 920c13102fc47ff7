internal import OrbrecCore

extension TemplateDecoder {
    static let attributeFields = ObjectSchema("What a machine of this template offers, as HostFactory's getAvailableTemplates reports it.", [
        FieldSchema("ncpus", .integer(minimum: 1), "CPUs per machine (reported as ncpus)."),
        FieldSchema("memMB", .integer(minimum: 1), "Memory per machine in MiB (reported as mem)."),
        FieldSchema("type", .string(nonEmpty: true), "The machine type, such as X86_64 (reported as type)."),
    ])

    /// The fields every template has.
    static let commonFields = [
        FieldSchema("provider", .string(), required: true, "The name of a Provider in the configuration; its type decides the other fields."),
        FieldSchema("maxMachines", .integer(minimum: 0), "The most machines of this template across all fleets that use it, checked at plan time."),
        FieldSchema("stopTimeout", .duration, "Time between SIGTERM and SIGKILL when a machine is returned (default 10s; local)."),
        FieldSchema("attributes", .object(attributeFields),
                    "What a machine offers (ncpus, memMB, type), for HostFactory's template listing; not part of the template's hash."),
        FieldSchema("replaceLostMachines", .boolean,
                    "Whether a machine request (machines request, the API) replaces a machine its provider loses (default true); "
                        + "HostFactory's requests never do."),
    ]

    static let description = "What one machine is: its provider and how it starts. Which fields it has beside provider, maxMachines, "
        + "stopTimeout and attributes depends on its provider's type."

    /// Every field of every type, for `orbrec schema`, `orbrec explain` and policies.
    static let fields = ObjectSchema(description, commonFields + ProviderSpec.ProviderType.allCases.flatMap(\.decoder.templateFields),
                                     atMostOne: ProviderSpec.ProviderType.allCases.flatMap(\.decoder.templateAtMostOne))

    /// The fields of a template of a provider of `type`.
    static func fields(for type: ProviderSpec.ProviderType) -> ObjectSchema {
        ObjectSchema(description, commonFields + type.decoder.templateFields, atMostOne: type.decoder.templateAtMostOne)
    }

    static var keys: [String] { fields.names }
}
