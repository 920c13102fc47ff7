/// What a machine of a template offers, for HostFactory's getAvailableTemplates (`ncpus`,
/// `mem`, `type`). Unset values are filled in where they are reported, not here.
public struct TemplateAttributes: Hashable, Sendable, Codable {
    public var ncpus: Int?
    public var memMB: Int?
    /// The machine type as HostFactory names it, such as X86_64.
    public var type: String?

    public init(ncpus: Int? = nil, memMB: Int? = nil, type: String? = nil) {
        self.ncpus = ncpus
        self.memMB = memMB
        self.type = type
    }
}
