internal import OrbrecCore

/// A decoded document with the locations that later checks point at.
struct DecodedResource {
    enum Spec {
        case provider(ProviderSpec)
        case template(TemplateSpec)
        /// A template whose provider is not among the decoded ones, kept for the checks of
        /// names and references.
        case unresolvedTemplate(name: String, provider: String)
        case fleet(FleetSpec)
        case scheduler(SchedulerSpec)
        case taskPool(TaskPoolSpec)
        case workflow(WorkflowSpec)
        case policy(PolicySpec)
    }

    var spec: Spec
    var nameLocation: SourceLocation?
    /// Where the document's reference to another resource was written (template, provider).
    var referenceLocation: SourceLocation?
    /// Where the field that selects a provider's type was written.
    var typeLocation: SourceLocation?
    /// The spec fields the user wrote, valid or not, so that a field already reported as
    /// invalid is not reported again as missing.
    var writtenFields: Set<String> = []
    /// Where each written spec field's value is, for checks that need other resources.
    var fieldLocations: [String: SourceLocation] = [:]
    /// What a workflow's steps refer to, with where.
    var workflowReferences = WorkflowDecoder.References()

    var id: ResourceID {
        switch spec {
        case .provider(let provider): provider.id
        case .template(let template): template.id
        case .unresolvedTemplate(let name, _): ResourceID(.template, name)
        case .fleet(let fleet): fleet.id
        case .scheduler(let scheduler): scheduler.id
        case .taskPool(let pool): pool.id
        case .workflow(let workflow): workflow.id
        case .policy(let policy): policy.id
        }
    }
}
