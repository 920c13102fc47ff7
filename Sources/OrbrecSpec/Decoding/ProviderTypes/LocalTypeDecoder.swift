internal import OrbrecCore

/// `type: local`: machines are processes of this host.
enum LocalTypeDecoder {
    static let decoder = ProviderTypeDecoder(providerFields: providerFields, templateFields: templateFields, provider: provider,
                                             template: template)

    static let providerFields: [FieldSchema] = []

    static let templateFields = [
        FieldSchema("command", .scalarList(minItems: 1),
                    "The argv each machine runs, looked up on PATH and never run through a shell. Required for a local provider."),
    ]

    static func provider(_ spec: MappingReader, owner: String) -> ProviderSettings? { .local }

    static func template(_ spec: MappingReader, name: String, uses provider: ProviderUse) -> TemplateSettings? {
        guard spec.value("command") != nil else {
            if !spec.isExplained("command") {
                spec.context.error("missing-field", "\(provider.sentence), which needs spec.command (the argv each machine runs)",
                                   at: spec.node)
            }
            return nil
        }
        guard let command = spec.stringList("command") else { return nil }
        guard !command.isEmpty else {
            spec.context.error("invalid-value", "spec.command must hold at least the program to run", at: spec.value("command"))
            return nil
        }
        return .local(LocalTemplateSettings(command: command))
    }
}
