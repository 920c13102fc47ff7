/// A template of a hostfactory provider: which of the plugin's templates a machine is.
public struct HostFactoryTemplateSettings: Hashable, Sendable, Codable {
    /// The plugin's own template id (getAvailableTemplates' `templateId`); the loader sets it
    /// to the template's name when it is not written.
    public var templateId: String

    public init(templateId: String) {
        self.templateId = templateId
    }
}

extension HostFactoryTemplateSettings {
    /// Its fields as a plan diff shows them.
    static let fields = [SpecField("templateId", forcesReplacement: true)]
}
