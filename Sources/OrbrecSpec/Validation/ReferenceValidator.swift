internal import OrbrecCore

/// Checks that only make sense across documents: unique names and resolvable references.
/// (What a provider's type requires of its templates is read with the template's fields.)
enum ReferenceValidator {
    /// - Parameter declared: every name declared per kind, including documents whose spec
    ///   was invalid, so a broken Provider is not also reported as missing.
    static func validate(_ resources: [DecodedResource], declared: Set<ResourceID>) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var firstByID: [ResourceID: DecodedResource] = [:]
        for resource in resources {
            if let first = firstByID[resource.id] {
                let firstPlace = first.nameLocation.map { "; first declared at \($0)" } ?? ""
                diagnostics.append(.error(
                    "duplicate-name", "duplicate \(resource.id.kind.rawValue) name '\(resource.id.name)'\(firstPlace)",
                    at: resource.nameLocation))
            } else {
                firstByID[resource.id] = resource
            }
        }
        var providers: Set<String> = []
        var templates: Set<String> = []
        var schedulers: [String: SchedulerSpec] = [:]
        var fleets: Set<String> = [], pools: Set<String> = [], apiPools: Set<String> = []
        for resource in firstByID.values {
            switch resource.spec {
            case .provider(let provider): providers.insert(provider.name)
            case .template(let template): templates.insert(template.name)
            case .unresolvedTemplate(let name, _): templates.insert(name)
            case .scheduler(let scheduler): schedulers[scheduler.name] = scheduler
            case .fleet(let fleet): fleets.insert(fleet.name)
            case .taskPool(let pool):
                pools.insert(pool.name)
                if pool.isAPI { apiPools.insert(pool.name) }
            case .workflow, .policy: break
            }
        }
        // One index per kind, built on first need; all share one budget for the load.
        let budget = SuggestionBudget()
        var indexes: [String: SuggestionIndex] = [:]
        func unresolved(_ owner: String, _ kind: String, _ name: String, among names: @autoclosure () -> [String],
                        at location: SourceLocation?) -> Diagnostic {
            let index = indexes[kind] ?? SuggestionIndex(names(), budget: budget)
            indexes[kind] = index
            let suggestion = index.closest(to: name).map { "; did you mean '\($0)'?" } ?? ""
            return .error("unresolved-reference", "\(owner) refers to \(kind) '\(name)', which is not declared\(suggestion)", at: location)
        }
        for resource in resources {
            switch resource.spec {
            case .provider, .template:
                break
            case .unresolvedTemplate(let name, let provider):
                if providers.contains(provider) || declared.contains(ResourceID(.provider, provider)) { continue }
                diagnostics.append(unresolved("Template '\(name)'", "provider", provider,
                                              among: Array(providers), at: resource.referenceLocation))
            case .fleet(let fleet):
                if !templates.contains(fleet.template) && !declared.contains(ResourceID(.template, fleet.template)) {
                    diagnostics.append(unresolved("Fleet '\(fleet.name)'", "template", fleet.template,
                                                  among: Array(templates), at: resource.referenceLocation))
                }
            case .scheduler(let scheduler):
                if !scheduler.type.isSupported {
                    diagnostics.append(.error(
                        "unsupported-scheduler-type",
                        "scheduler type '\(scheduler.type.rawValue)' is recognised but not yet supported by this version of orbrec (supported: local, slurm)",
                        at: resource.typeLocation))
                }
            case .taskPool(let pool):
                if pool.mode == .push && schedulers[pool.scheduler] == nil && !declared.contains(ResourceID(.scheduler, pool.scheduler)) {
                    diagnostics.append(unresolved("TaskPool '\(pool.name)'", "scheduler", pool.scheduler,
                                                  among: Array(schedulers.keys), at: resource.referenceLocation))
                }
            case .workflow(let workflow):
                let owner = "Workflow '\(workflow.name)'"
                let references = resource.workflowReferences
                for (fleet, location) in references.fleets where !fleets.contains(fleet) && !declared.contains(ResourceID(.fleet, fleet)) {
                    diagnostics.append(unresolved(owner, "fleet", fleet, among: Array(fleets), at: location))
                }
                for (pool, location) in references.pools where !pools.contains(pool) && !declared.contains(ResourceID(.taskPool, pool)) {
                    diagnostics.append(unresolved(owner, "task pool", pool, among: Array(pools), at: location))
                }
                // A run's step copies the pool's tasks; an api pool's are posted to it by name, not copied.
                for (pool, location) in references.pools where apiPools.contains(pool) {
                    diagnostics.append(.error("api-pool-in-workflow",
                                              "\(owner) runs TaskPool '\(pool)', whose tasks come from the API (source: api); a step's pool lists its tasks",
                                              at: location))
                }
                for (scheduler, location) in references.schedulers
                where schedulers[scheduler] == nil && !declared.contains(ResourceID(.scheduler, scheduler)) {
                    diagnostics.append(unresolved(owner, "scheduler", scheduler, among: Array(schedulers.keys), at: location))
                }
            case .policy:
                break
            }
        }
        return diagnostics
    }
}
